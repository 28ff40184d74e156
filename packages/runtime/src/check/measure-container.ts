// SPDX-License-Identifier: Apache-2.0
// One round of `vordr check` (05 §8): reads the host, runs the pure comparisons, returns the report.
import { existsSync } from 'node:fs';
import type { ContainerRecord } from '../container/index.js';
import { measureNetwork } from '../firewall/index.js';
import { PODMAN_ROOTFS_ENTRIES } from '../engine/index.js';
import type { OciSpec } from '../oci-spec/index.js';
import { containerPaths } from '../store/index.js';
import { checkCgroupLimits } from './cgroup-limits.js';
import { liveExecSessions } from './exec-sessions.js';
import { compareFileIntegrity } from './file-integrity.js';
import {
  cgroupDirs,
  readCgroupLimits,
  readCgroupPids,
  readContainerProcesses,
  readMountinfo,
  readProcessLabel,
  readText,
} from './host-probe.js';
import {
  readIntegrityCache,
  readIntegrityStatement,
  writeIntegrityCache,
} from './integrity-inputs.js';
import {
  checkCapabilities,
  checkNoNewPrivs,
  checkProcessTree,
  checkSeccomp,
  type ContainerProcess,
  type ProcessExpectations,
} from './process-checks.js';
import { scanRootfs } from './rootfs-scan.js';
import {
  avcDenials,
  checkDeviations,
  checkMonitor,
  checkReadOnlyRoot,
  checkSelinux,
} from './simple-checks.js';
import { makeReport, type CheckReport, type CheckResult } from './types.js';

export interface MeasureInput {
  readonly root: string;
  readonly record: ContainerRecord;
  /** The container's `bundle/config.json`: what vordr asked runc for. */
  readonly spec: OciSpec;
  /** `--full`: rehash every file. */
  readonly full: boolean;
  readonly now: Date;
  /** The `verification` check (05 §4.2 again); the command supplies it. */
  readonly verification: () => Promise<CheckResult>;
  /** Where the cgroup hierarchies are (tests of other layouts). */
  readonly cgroupRoot?: string;
  readonly selinuxEnabled?: boolean;
  readonly auditLog?: string;
}

const AUDIT_LOG = '/var/log/audit/audit.log';

/** Measures a running container once. */
export async function measureContainer(input: MeasureInput): Promise<CheckReport> {
  const { record, spec } = input;
  const paths = containerPaths(input.root, record.id);
  const dirs = cgroupDirs(record.cgroupsPath ?? spec.linux.cgroupsPath, input.cgroupRoot);
  const sessions = await liveExecSessions(paths.dir);
  const all = await readContainerProcesses(await readCgroupPids(dirs));
  const expectations: ProcessExpectations = {
    initPid: record.pid ?? -1,
    command: spec.process.args,
    capabilities: spec.process.capabilities.bounding,
    seccomp: spec.linux.seccomp !== undefined,
    execSessions: sessions,
  };
  // runc's own `runc init` of a recorded exec session is confined only right before its exec.
  const confined = all.filter((p) => !(isRuncInit(p) && fromSession(p, sessions)));

  const checks: CheckResult[] = [];
  checks.push(
    all.length === 0
      ? {
          name: 'process-tree',
          title: 'Process tree matches manifest',
          status: 'fail',
          detail: "no process in the container's cgroup",
          violations: ["the container's cgroup holds no process"],
        }
      : checkProcessTree(all, expectations),
  );
  if (confined.length === 0) {
    for (const [name, title] of [
      ['capabilities', 'Capabilities not escalated'],
      ['no-new-privileges', 'no_new_privs set'],
      ['seccomp', 'Seccomp filter active'],
    ] as const) {
      checks.push({ name, title, status: 'skip', detail: 'no process to measure', violations: [] });
    }
  } else {
    checks.push(checkCapabilities(confined, expectations));
    checks.push(checkNoNewPrivs(confined));
    checks.push(checkSeccomp(confined, expectations));
  }
  checks.push(await fileIntegrity(input));
  checks.push(
    checkReadOnlyRoot(
      spec.root.readonly,
      record.pid === undefined ? undefined : await readMountinfo(record.pid),
    ),
  );
  checks.push(checkCgroupLimits(spec.linux.resources, await readCgroupLimits(dirs)));
  checks.push(await selinux(input, all));
  const networked = (record.networkAttachments ?? []).length > 0;
  checks.push(...(await measureNetwork(input.root, record.id, record.pid, networked)));
  checks.push(await input.verification());
  checks.push(checkDeviations(record.deviations));
  if (record.monitorLost === true) checks.push(checkMonitor(true));
  return makeReport({
    container: record.name,
    id: record.id,
    checkedAt: input.now.toISOString(),
    checks,
  });
}

async function fileIntegrity(input: MeasureInput): Promise<CheckResult> {
  const { record, spec } = input;
  const base = { name: 'file-integrity', title: 'File integrity (no tampering)' } as const;
  const statement = await readIntegrityStatement(input.root, record.imageDigest);
  if (statement.kind === 'absent') {
    return { ...base, status: 'skip', detail: statement.reason, violations: [] };
  }
  if (statement.kind === 'malformed') {
    return { ...base, status: 'fail', detail: statement.reason, violations: [statement.reason] };
  }
  const paths = containerPaths(input.root, record.id);
  const cache = input.full
    ? new Map<string, string>()
    : await readIntegrityCache(paths.dir, record.imageDigest);
  const scan = await scanRootfs({
    rows: statement.rows,
    rootfs: paths.rootfs,
    upper: record.rootfsMode === 'copy' ? undefined : paths.upper,
    full: input.full,
    cache,
  });
  await writeIntegrityCache(paths.dir, record.imageDigest, scan.cache);
  return compareFileIntegrity(statement.rows, scan.observation, [
    ...spec.mounts.map((m) => m.destination),
    ...(record.backend === 'podman' ? PODMAN_ROOTFS_ENTRIES : []),
  ]);
}

async function selinux(input: MeasureInput, processes: readonly ContainerProcess[]) {
  const enabled = input.selinuxEnabled ?? existsSync('/sys/fs/selinux/enforce');
  const expectedLabel = input.record.selinuxLabel;
  if (!enabled) return checkSelinux({ enabled, expectedLabel, labels: [], denials: [] });
  const labels = [];
  for (const p of processes) labels.push({ pid: p.pid, label: await readProcessLabel(p.pid) });
  const audit = await readText(input.auditLog ?? AUDIT_LOG);
  const since = Date.parse(input.record.startedAt ?? input.record.createdAt) / 1000;
  const denials = audit === undefined ? [] : avcDenials(audit, expectedLabel, Math.floor(since));
  return checkSelinux({ enabled, expectedLabel, labels, denials });
}

function isRuncInit(p: ContainerProcess): boolean {
  return p.cmdline[0] === 'runc' && p.cmdline[1] === 'init';
}

function fromSession(p: ContainerProcess, sessions: ReadonlySet<number>): boolean {
  return p.ancestors.some((a) => sessions.has(a));
}
