// SPDX-License-Identifier: Apache-2.0
// `process.rlimits` of 05 §4.5: the defaults clamped to the caller's hard limits, and `--ulimit`.
import { VcError } from '@verified-container/shared';

export interface Rlimit {
  /** `RLIMIT_NOFILE` etc. */
  readonly type: string;
  readonly soft: number;
  readonly hard: number;
}

/** `--ulimit` names (docker spellings) → rlimit types. */
export const ULIMIT_NAMES: Readonly<Record<string, string>> = {
  as: 'RLIMIT_AS',
  core: 'RLIMIT_CORE',
  cpu: 'RLIMIT_CPU',
  data: 'RLIMIT_DATA',
  fsize: 'RLIMIT_FSIZE',
  locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK',
  msgqueue: 'RLIMIT_MSGQUEUE',
  nice: 'RLIMIT_NICE',
  nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC',
  rss: 'RLIMIT_RSS',
  rtprio: 'RLIMIT_RTPRIO',
  rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING',
  stack: 'RLIMIT_STACK',
};

/** Defaults (soft = hard) before clamping. */
export const DEFAULT_RLIMITS: readonly Rlimit[] = [
  { type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 },
  { type: 'RLIMIT_NPROC', soft: 4194304, hard: 4194304 },
];

/** The caller's hard limits by rlimit type; a missing entry means unlimited. */
export type CallerHardLimits = Readonly<Record<string, number>>;

const VALUE = /^(?:-1|unlimited|[0-9]+)$/;
/** Largest value we write; -1/unlimited means RLIM_INFINITY. */
const INFINITY = Number.MAX_SAFE_INTEGER;

function parseLimit(text: string, flag: string): number {
  if (!VALUE.test(text))
    throw new VcError('USAGE', `--ulimit ${flag}: invalid value ${JSON.stringify(text)}`);
  if (text === '-1' || text === 'unlimited') return INFINITY;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new VcError('USAGE', `--ulimit ${flag}: value too large`);
  return n;
}

/** Parses `NAME=SOFT[:HARD]` (HARD defaults to SOFT); bad input is `USAGE`. */
export function parseUlimit(flag: string): Rlimit {
  const eq = flag.indexOf('=');
  const name = (eq < 0 ? flag : flag.slice(0, eq)).toLowerCase();
  const type = ULIMIT_NAMES[name];
  if (eq < 0 || type === undefined) {
    throw new VcError('USAGE', `invalid --ulimit ${JSON.stringify(flag)}`, {
      hint: `expected NAME=SOFT[:HARD] with NAME one of ${Object.keys(ULIMIT_NAMES).join(', ')}`,
    });
  }
  const [softText = '', hardText, ...rest] = flag.slice(eq + 1).split(':');
  if (rest.length > 0) throw new VcError('USAGE', `invalid --ulimit ${JSON.stringify(flag)}`);
  const soft = parseLimit(softText, flag);
  const hard = hardText === undefined ? soft : parseLimit(hardText, flag);
  if (soft > hard) {
    throw new VcError('USAGE', `--ulimit ${flag}: soft limit is above the hard limit`);
  }
  return { type, soft, hard };
}

/**
 * The rlimits: defaults clamped to the caller's hard limits, then each `--ulimit` (a later flag
 * for the same name wins). A `--ulimit` above the caller's hard limit is `USAGE`, because an
 * unprivileged runtime could not raise it and silently lowering it would hide the mistake.
 */
export function computeRlimits(ulimits: readonly string[], callerHard: CallerHardLimits): Rlimit[] {
  const byType = new Map<string, Rlimit>();
  for (const d of DEFAULT_RLIMITS) {
    const cap = callerHard[d.type] ?? INFINITY;
    byType.set(d.type, { type: d.type, soft: Math.min(d.soft, cap), hard: Math.min(d.hard, cap) });
  }
  for (const flag of ulimits) {
    const parsed = parseUlimit(flag);
    const cap = callerHard[parsed.type];
    // `unlimited` means as much as the caller may grant.
    const limit =
      cap === undefined
        ? parsed
        : {
            ...parsed,
            soft: parsed.soft === INFINITY ? cap : parsed.soft,
            hard: parsed.hard === INFINITY ? cap : parsed.hard,
          };
    if (cap !== undefined && limit.hard > cap) {
      throw new VcError(
        'USAGE',
        `--ulimit ${flag}: above the caller's hard limit ${cap} for ${limit.type}`,
      );
    }
    byType.set(limit.type, limit);
  }
  return [...byType.values()];
}

/** `/proc/<pid>/limits` row names → rlimit types. */
const PROC_LIMIT_ROWS: Readonly<Record<string, string>> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/**
 * The hard limits of a `/proc/<pid>/limits` text (the caller reads `/proc/self/limits`);
 * `unlimited` rows are left out (no cap).
 */
export function parseProcLimits(text: string): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const type = m === null ? undefined : PROC_LIMIT_ROWS[m[1] ?? ''];
    if (m === null || type === undefined || m[3] === 'unlimited') continue;
    const hard = Number(m[3]);
    if (Number.isSafeInteger(hard)) limits[type] = hard;
  }
  return limits;
}
