// SPDX-License-Identifier: Apache-2.0
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { VERIFY_MODES, type VerifyMode } from '@verified-container/shared/verify';
import { effectiveHealthcheck, parseHealthFlags, type HealthcheckConfig } from '../health/index.js';
import type { ProfileFlags } from '../profile/index.js';
import type { RuntimeProfile } from '@verified-container/shared/generate';
import { parseRestartPolicy, type RestartPolicy } from '../supervisor/restart-policy.js';
import { collectRunVariables, type RunVariables } from '../profile/index.js';
import {
  DEFAULT_NETWORK,
  assertValidAlias,
  parseAddHost,
  type ExtraHost,
} from '../network/index.js';
import { assertValidName } from '../store/index.js';

/** `run`'s flags as commander hands them over (05 §3). */
export interface RunFlags {
  image?: string;
  detach?: boolean;
  rm?: boolean;
  name?: string;
  hostname?: string;
  label?: string[];
  addHost?: string[];
  tmpfs?: string[];
  publish?: string[];
  volume?: string[];
  env?: string[];
  envFile?: string[];
  network?: string[];
  networkAlias?: string[];
  user?: string;
  workdir?: string;
  entrypoint?: string;
  readOnly?: boolean | string;
  readOnlyTmpfs?: boolean | string;
  capAdd?: string[];
  capDrop?: string[];
  selinuxContext?: string;
  securityOpt?: string[];
  requireSelinux?: boolean | string;
  egressAllow?: string[];
  memory?: string;
  pidsLimit?: string;
  cpus?: string;
  ulimit?: string[];
  stopTimeout?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthOnFailure?: string;
  /** false with `--no-healthcheck`. */
  healthcheck?: boolean;
  restart?: string;
  pull?: string;
  /** For a pull (podman run's): `--tls-verify[=false]`, `--creds`, `--authfile`. */
  tlsVerify?: string | boolean;
  creds?: string;
  authfile?: string;
  verifyMode?: string;
  trustStore?: string;
  now?: string;
  logQuorum?: string;
  thresholdGroup?: string[];
  vulnDb?: string;
  requireVulnDb?: boolean;
  cache?: boolean;
  online?: boolean;
  interactive?: boolean;
  tty?: boolean;
  privileged?: boolean;
  userns?: string;
  pid?: string;
  ipc?: string;
}

/** `--read-only[=BOOL]`: commander gives true or the text after `=`. */
export function parseBoolFlag(
  value: boolean | string | undefined,
  flag: string,
): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new VcError('USAGE', `invalid ${flag}=${value}: expected true or false`);
}

/** The flags vordr refuses (05 §3): `-i`, `-t`, `--privileged`, `--userns`, `--pid`, `--ipc`, `--network host`. */
export function assertSupportedRunFlags(flags: RunFlags): void {
  const refused: string[] = [];
  if (flags.interactive === true) refused.push('-i');
  if (flags.tty === true) refused.push('-t');
  if (flags.privileged === true) refused.push('--privileged');
  if (flags.userns !== undefined) refused.push('--userns');
  if (flags.pid !== undefined) refused.push('--pid');
  if (flags.ipc !== undefined) refused.push('--ipc');
  for (const net of flags.network ?? []) {
    if (net === 'host') refused.push('--network host');
  }
  if (flags.online === true) refused.push('--online');
  if (refused.length > 0) {
    throw new VcError('UNSUPPORTED', `not supported: ${refused.join(', ')}`);
  }
  checkSupervisionFlags(flags);
  if ((flags.publish ?? []).length > 0 && runNetworks(flags).networks.length === 0) {
    throw new VcError('PROFILE_CONFLICT', '-p needs a network; this container has --network none');
  }
  if (flags.requireSelinux !== undefined && flags.requireSelinux !== false) {
    // Checked against the host by the caller.
  }
}

/** The profile flags of `run` (05 §4.3). */
export function profileFlags(flags: RunFlags): ProfileFlags {
  const readOnly = parseBoolFlag(flags.readOnly, '--read-only');
  const readOnlyTmpfs = parseBoolFlag(flags.readOnlyTmpfs, '--read-only-tmpfs');
  return {
    ...(flags.capAdd !== undefined ? { capAdd: flags.capAdd } : {}),
    ...(flags.capDrop !== undefined ? { capDrop: flags.capDrop } : {}),
    ...(readOnly !== undefined ? { readOnly } : {}),
    ...(readOnlyTmpfs !== undefined ? { readOnlyTmpfs } : {}),
    ...(flags.tmpfs !== undefined ? { tmpfs: flags.tmpfs } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.workdir !== undefined ? { workdir: flags.workdir } : {}),
    ...(flags.securityOpt !== undefined ? { securityOpt: flags.securityOpt } : {}),
    ...(flags.selinuxContext !== undefined ? { selinuxContext: flags.selinuxContext } : {}),
    ...(flags.memory !== undefined ? { memory: flags.memory } : {}),
    ...(flags.pidsLimit !== undefined ? { pidsLimit: flags.pidsLimit } : {}),
    ...(flags.cpus !== undefined ? { cpus: flags.cpus } : {}),
    ...(flags.ulimit !== undefined ? { ulimit: flags.ulimit } : {}),
    ...(flags.hostname !== undefined ? { hostname: flags.hostname } : {}),
    ...(flags.egressAllow !== undefined ? { egressAllow: flags.egressAllow } : {}),
  };
}

/** `-e` and `--env-file` (read relative to `cwd`) with the caller's environment for `-e K`. */
export async function runVariables(
  flags: RunFlags,
  cwd: string,
  callerEnv: Readonly<Record<string, string | undefined>>,
): Promise<RunVariables> {
  const envFiles = [];
  for (const path of flags.envFile ?? []) {
    let text: string;
    try {
      text = await readFile(resolve(cwd, path), 'utf8');
    } catch (cause) {
      throw new VcError('USAGE', `cannot read --env-file ${path}`, { cause });
    }
    envFiles.push({ path, text });
  }
  return collectRunVariables({ envFlags: flags.env ?? [], envFiles, callerEnv });
}

/** `--label K=V` flags as a map. */
export function parseLabels(labels: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const label of labels ?? []) {
    const eq = label.indexOf('=');
    const key = eq < 0 ? label : label.slice(0, eq);
    if (key === '') throw new VcError('USAGE', `invalid --label ${JSON.stringify(label)}`);
    out[key] = eq < 0 ? '' : label.slice(eq + 1);
  }
  return out;
}

/** `--verify-mode`: strict (default), permissive or audit. */
export function parseVerifyMode(text: string | undefined): VerifyMode {
  if (text === undefined) return 'strict';
  if ((VERIFY_MODES as readonly string[]).includes(text)) return text as VerifyMode;
  throw new VcError('USAGE', `invalid --verify-mode ${JSON.stringify(text)}`, {
    hint: `one of ${VERIFY_MODES.join(', ')}`,
  });
}

/** A positive integer flag. */
export function parsePositiveInt(text: string, flag: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new VcError(
      'USAGE',
      `invalid ${flag} ${JSON.stringify(text)}: expected a positive integer`,
    );
  }
  return Number(text);
}

/** The healthcheck and restart policy of a `run` (05 §6), for its record. */
export interface RunSupervision {
  readonly healthcheck?: HealthcheckConfig;
  readonly restartPolicy?: RestartPolicy;
}

/**
 * `--health-*`, `--no-healthcheck` over the image's signed healthcheck, and `--restart`; bad
 * values, and `--restart` other than `no` with `--rm`, are `USAGE` before anything is created.
 */
export function runSupervision(
  flags: RunFlags,
  signed: RuntimeProfile['healthcheck'] | undefined,
): RunSupervision {
  const restartPolicy = checkSupervisionFlags(flags);
  const healthcheck = effectiveHealthcheck(signed, flags);
  return {
    ...(healthcheck !== undefined ? { healthcheck } : {}),
    ...(restartPolicy !== undefined && restartPolicy.name !== 'no' ? { restartPolicy } : {}),
  };
}

/**
 * The syntax of `--restart` and `--health-*` alone (no image needed), so a bad value is `USAGE`
 * before anything is looked up; returns the restart policy.
 */
export function checkSupervisionFlags(flags: RunFlags): RestartPolicy | undefined {
  parseHealthFlags(flags);
  const restartPolicy = flags.restart === undefined ? undefined : parseRestartPolicy(flags.restart);
  if (restartPolicy !== undefined && restartPolicy.name !== 'no' && flags.rm === true) {
    throw new VcError('USAGE', `--restart ${flags.restart} conflicts with --rm`, {
      hint: 'a container removed on exit cannot be restarted; drop one of them',
    });
  }
  return restartPolicy;
}

/** At most this many networks per container (05 §15). */
export const MAX_NETWORKS = 8;

/** The networking a run asks for (05 §3, §4.6). */
export interface RunNetworks {
  /** In `--network` order; empty for `--network none`. */
  readonly networks: readonly { readonly network: string; readonly aliases: readonly string[] }[];
  readonly extraHosts: readonly ExtraHost[];
}

/**
 * `--network` (repeatable; default `vordr`; `none` alone = no network), `--network-alias` (on
 * every network of the container) and `--add-host`. Bad input → USAGE / INVALID_NAME.
 */
export function runNetworks(flags: RunFlags): RunNetworks {
  const names = flags.network ?? [DEFAULT_NETWORK];
  const extraHosts = (flags.addHost ?? []).map(parseAddHost);
  const aliases = flags.networkAlias ?? [];
  aliases.forEach(assertValidAlias);
  if (names.includes('none')) {
    if (names.some((n) => n !== 'none')) {
      throw new VcError('USAGE', '--network none cannot be combined with other networks');
    }
    if (aliases.length > 0) {
      throw new VcError('USAGE', '--network-alias needs a network; this container has none');
    }
    return { networks: [], extraHosts };
  }
  const unique = [...new Set(names)];
  unique.forEach((n) => assertValidName(n, 'network'));
  if (unique.length > MAX_NETWORKS) {
    throw new VcError('USAGE', `at most ${MAX_NETWORKS} networks per container`);
  }
  return { networks: unique.map((network) => ({ network, aliases })), extraHosts };
}
