// SPDX-License-Identifier: Apache-2.0
// Test helpers of the steps layer: a throw-away rootfs and context, fakes of the ports, and tiny
// archive writers for crafted (hostile) fixtures. Not exported from the package.
import { spawnSync } from 'node:child_process';
import { crc32, deflateRawSync } from 'node:zlib';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noopLogger, VcError } from '@verified-container/shared';
import type { ManifestStep } from '@verified-container/shared/manifest';
import { parseManifest } from '@verified-container/shared/manifest';
import { pack, type Header } from 'tar-stream';
import { DirectoryContentStore } from '../content/content-store.js';
import { ChildProcessStreamExec } from './exec.js';
import { RootFs } from './rootfs.js';
import type { Fetcher, StepContext } from './step-context.js';
import { StepInputs } from './step-inputs.js';

export const EPOCH = 1_700_000_000;

export interface StepsFixture {
  readonly dir: string;
  /** The build context directory (empty at first). */
  readonly contextDir: string;
  readonly rootfs: RootFs;
  readonly inputs: StepInputs;
  readonly ctx: StepContext;
  [Symbol.dispose](): void;
}

/** A fresh rootfs, context and store under a temporary directory; dispose removes it. */
export function stepsFixture(over: Partial<StepContext> = {}): StepsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'ct-steps-'));
  const contextDir = join(dir, 'context');
  mkdirSync(contextDir);
  const rootfs = new RootFs({
    content: new DirectoryContentStore(join(dir, 'store')),
    mtime: EPOCH,
  });
  const inputs = new StepInputs();
  const ctx: StepContext = {
    rootfs,
    contextDir,
    sourceDateEpoch: EPOCH,
    fetcher: new MapFetcher({}),
    composer: { require: () => Promise.reject(new Error('no composer in this test')) },
    exec: new ChildProcessStreamExec(),
    logger: noopLogger,
    inputs,
    ...over,
  };
  return {
    dir,
    contextDir,
    rootfs,
    inputs,
    ctx,
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The steps of a `[build]` TOML fragment, parsed and normalised like a real manifest. */
export function parseSteps(toml: string): ManifestStep[] {
  const text = `[package]\nname = "test"\nversion = "1.0"\n\n${toml}\n`;
  const result = parseManifest(text, { source: 'test.ctp' });
  if (result.manifest === undefined || !result.ok) {
    const problems = result.diagnostics.map((d) => `${d.code} ${d.path}: ${d.message}`);
    throw new Error(`bad test manifest:\n${problems.join('\n')}`);
  }
  return result.manifest.build.steps;
}

/** Adds a regular file to the rootfs. */
export async function addFile(
  rootfs: RootFs,
  path: string,
  content: string | Uint8Array,
  attrs: { mode?: number; uid?: number; gid?: number } = {},
): Promise<void> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const stored = await rootfs.content.put(bytes);
  rootfs.put(rootfs.resolve(path), {
    type: 'f',
    content: stored,
    mode: attrs.mode ?? 0o644,
    ...attrs,
  });
}

/** A {@link Fetcher} serving fixed bodies; unknown URLs fail like an unreachable host. */
export class MapFetcher implements Fetcher {
  readonly requested: string[] = [];
  constructor(private readonly bodies: Record<string, Uint8Array | string>) {}

  fetch(url: string): Promise<AsyncIterable<Uint8Array>> {
    this.requested.push(url);
    const body = this.bodies[url];
    if (body === undefined) {
      return Promise.reject(new VcError('BUILD_FETCH_FAILED', `cannot fetch ${url}`));
    }
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    return Promise.resolve(
      (async function* () {
        yield await Promise.resolve(new Uint8Array(bytes));
      })(),
    );
  }
}

/** A tar made by tar-stream from headers and optional bodies. */
export async function tarOf(
  entries: readonly (Partial<Header> & { name: string; body?: string | Uint8Array })[],
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  for (const { body, ...header } of entries) {
    if (body === undefined)
      p.entry({ mode: header.type === 'directory' ? 0o755 : 0o644, ...header });
    else p.entry({ mode: 0o644, ...header }, typeof body === 'string' ? Buffer.from(body) : body);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** `xz -z` of bytes, or undefined when the host has no xz. */
export function xzOf(bytes: Uint8Array): Buffer | undefined {
  const r = spawnSync('xz', ['-z', '-c'], { input: bytes });
  return r.status === 0 ? r.stdout : undefined;
}

export interface ZipMember {
  readonly name: string;
  readonly body?: string | Uint8Array;
  /** Full st_mode (type and permission bits); 0 writes an MS-DOS style member. */
  readonly mode?: number;
  readonly deflate?: boolean;
  /** General-purpose flags (bit 0: encrypted). */
  readonly flags?: number;
  /** Declare this uncompressed size instead of the real one. */
  readonly declaredSize?: number;
}

/** A minimal zip writer (no zip64, no data descriptors) for crafted fixtures. */
export function zipOf(members: readonly ZipMember[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const data = typeof m.body === 'string' ? Buffer.from(m.body) : Buffer.from(m.body ?? []);
    const stored = m.deflate === true ? deflateRawSync(data) : data;
    const name = Buffer.from(m.name, 'utf8');
    const crc = crc32(data);
    const size = m.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800 | (m.flags ?? 0), 6);
    local.writeUInt16LE(m.deflate === true ? 8 : 0, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(stored.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(m.mode === 0 ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800 | (m.flags ?? 0), 8);
    central.writeUInt16LE(m.deflate === true ? 8 : 0, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(stored.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((m.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, stored);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
