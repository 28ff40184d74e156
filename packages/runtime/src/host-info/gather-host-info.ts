// SPDX-License-Identifier: Apache-2.0
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { probeRootfsMode, type RootfsMode } from '../rootfs/container-rootfs.js';
import { defaultSeccompProfilePath } from '../seccomp/load.js';
import { readStoreIndex } from '../image/store-image.js';
import { ContainerRecords } from '../store/container-records.js';
import type { ContainerHandle } from '../store/container-reference.js';
import { probeProcess } from '../store/process-start-time.js';
import { vordrPaths } from '../store/vordr-paths.js';
import { listVolumes } from '../volume/volume-store.js';
import {
  cgroupModeOf,
  selinuxStateOf,
  toolVersionOf,
  type CgroupMode,
  type SelinuxState,
} from './host-facts.js';

const run = promisify(execFile);

/** A host tool: where it is and what it says its version is; `error` when missing or broken. */
export interface ToolInfo {
  readonly path?: string;
  readonly version?: string;
  readonly error?: string;
}

/** `vordr info` (05 §11). Every part that cannot be found says so; nothing is fatal. */
export interface HostInfo {
  readonly version: string;
  readonly storeRoot: string;
  readonly backend: { readonly name: 'runc' } & ToolInfo;
  readonly conmon: ToolInfo;
  readonly kernel: string;
  readonly cgroups: CgroupMode | 'unknown';
  readonly selinux: SelinuxState;
  readonly seccompProfile: { readonly path: string; readonly present: boolean };
  readonly nftables: ToolInfo;
  readonly rootfs: RootfsMode | 'unknown';
  readonly objects: {
    readonly containers: number;
    readonly running: number;
    readonly images: number;
    readonly tags: number;
    readonly volumes: number;
    readonly networks: number;
  };
  readonly daemon: { readonly socket: string; readonly answering: boolean };
  readonly supervisor: { readonly pid?: number; readonly running: boolean };
  readonly trustStore: {
    readonly path: string;
    readonly id?: string;
    readonly serial?: number;
    readonly error?: string;
  };
}

export interface GatherHostInfoOptions {
  readonly root: string;
  readonly version: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  /** `--runtime PATH`: the runc binary (default: `runc` on PATH). */
  readonly runtime?: string;
  /** Skip the overlay mount probe (it needs root). */
  readonly probeRootfs?: boolean;
}

/** Gathers the facts of 05 §11; each probe failing is reported in its own field. */
export async function gatherHostInfo(opts: GatherHostInfoOptions): Promise<HostInfo> {
  const pathVar =
    opts.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const runtime = opts.runtime !== undefined && opts.runtime.includes('/') ? opts.runtime : 'runc';
  const [backend, conmon, nftables] = await Promise.all([
    tool(runtime, pathVar),
    tool('conmon', pathVar),
    tool('nft', pathVar),
  ]);
  const seccompPath = defaultSeccompProfilePath(opts.env);
  const socket = socketPath(opts.env, opts.uid);
  return {
    version: opts.version,
    storeRoot: opts.root,
    backend: { name: 'runc', ...backend },
    conmon,
    kernel: (await readText('/proc/sys/kernel/osrelease'))?.trim() ?? 'unknown',
    cgroups: await fs
      .readdir('/sys/fs/cgroup')
      .then(cgroupModeOf)
      .catch(() => 'unknown' as const),
    selinux: selinuxStateOf(await readText('/sys/fs/selinux/enforce')),
    seccompProfile: { path: seccompPath, present: await exists(seccompPath) },
    nftables,
    rootfs:
      opts.probeRootfs === false
        ? 'unknown'
        : await probeRootfsMode(opts.root).catch(() => 'unknown' as const),
    objects: await countObjects(opts.root),
    daemon: { socket, answering: socket !== '' && (await answers(socket)) },
    supervisor: await supervisorOf(opts.root),
    trustStore: await trustStoreOf(opts.root, opts.env),
  };
}

async function tool(name: string, pathVar: string): Promise<ToolInfo> {
  const path = name.includes('/') ? name : await which(name, pathVar);
  if (path === undefined) return { error: `${name} is not installed` };
  try {
    const { stdout } = await run(path, ['--version'], { timeout: 5_000 });
    const version = toolVersionOf(stdout);
    return { path, ...(version !== undefined ? { version } : { error: 'version unknown' }) };
  } catch (cause) {
    return { path, error: `${path} --version failed: ${(cause as Error).message.split('\n')[0]}` };
  }
}

async function which(name: string, pathVar: string): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      await fs.access(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

async function countObjects(root: string): Promise<HostInfo['objects']> {
  const paths = vordrPaths(root);
  const records = await new ContainerRecords<
    ContainerHandle & { state?: unknown; status?: unknown }
  >(root)
    .list()
    .catch(() => []);
  const index = await readStoreIndex(root).catch(() => ({ manifests: [] }));
  const volumes = await listVolumes(root).catch(() => []);
  const networks = await fs
    .readdir(paths.networks)
    .then((names) => names.filter((n) => n.endsWith('.json')).length)
    .catch(() => 0);
  return {
    containers: records.length,
    running: records.filter((r) => r.state === 'running' || r.status === 'running').length,
    images: new Set(index.manifests.map((d) => d.digest)).size,
    tags: index.manifests.length,
    volumes: volumes.length,
    networks,
  };
}

/** `VORDR_SOCKET`, else `/run/vordr/vordr.sock` (uid 0) or `$XDG_RUNTIME_DIR/vordr/vordr.sock`. */
function socketPath(env: Readonly<Record<string, string | undefined>>, uid: number): string {
  const fromEnv = env['VORDR_SOCKET'];
  if (fromEnv !== undefined) return fromEnv;
  if (uid === 0) return '/run/vordr/vordr.sock';
  return join(env['XDG_RUNTIME_DIR'] ?? `/run/user/${uid}`, 'vordr', 'vordr.sock');
}

/** Whether something accepts a connection on the unix socket within 1 s. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function supervisorOf(root: string): Promise<HostInfo['supervisor']> {
  const text = await readText(join(vordrPaths(root).run, 'supervisor.pid'));
  const pid = text === undefined ? NaN : Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return { running: false };
  const probe = await probeProcess(pid).catch(() => ({ alive: false }));
  return { pid, running: probe.alive };
}

async function trustStoreOf(
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<HostInfo['trustStore']> {
  const fromEnv = env['VC_TRUST_STORE'];
  const path =
    fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(root, 'keys', 'trust-store.json');
  const text = await readText(path);
  if (text === undefined) return { path, error: 'not found' };
  try {
    const doc = JSON.parse(text) as { id?: unknown; serial?: unknown };
    return {
      path,
      ...(typeof doc.id === 'string' ? { id: doc.id } : {}),
      serial: typeof doc.serial === 'number' ? doc.serial : 0,
    };
  } catch {
    return { path, error: 'not valid JSON' };
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}
