// SPDX-License-Identifier: Apache-2.0
// The healthcheck of a container (05 §6): the image's signed `[runtime.healthcheck]` (02 §2, in
// the runtime label) with `run`'s `--health-*` flags over it. Pure: the caller reads the labels.
import { VcError } from '@verified-container/shared';
import type { RuntimeProfile } from '@verified-container/shared/generate';
import { parseDurationMs } from '../logs/log-query.js';

/** What `--health-on-failure` does once the container turns unhealthy. */
export type HealthOnFailure = 'none' | 'kill' | 'restart' | 'stop';

export const HEALTH_ON_FAILURE: readonly HealthOnFailure[] = ['none', 'kill', 'restart', 'stop'];

/** The resolved healthcheck stored on the container record; durations in milliseconds. */
export interface HealthcheckConfig {
  /** argv run in the container (a `--health-cmd` string is `/bin/sh -c <string>`). */
  readonly test: readonly string[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly startPeriodMs: number;
  readonly onFailure: HealthOnFailure;
}

export const DEFAULT_HEALTH_INTERVAL_MS = 30_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;
export const DEFAULT_HEALTH_RETRIES = 3;
export const DEFAULT_HEALTH_START_PERIOD_MS = 0;

/** `run`'s healthcheck flags as commander hands them over (`--no-healthcheck` → `healthcheck: false`). */
export interface HealthFlags {
  readonly healthCmd?: string;
  readonly healthInterval?: string;
  readonly healthTimeout?: string;
  readonly healthRetries?: string;
  readonly healthStartPeriod?: string;
  readonly healthOnFailure?: string;
  readonly healthcheck?: boolean;
}

/**
 * A `--health-cmd` value as argv: a JSON array is exec form (a leading `CMD` is dropped,
 * `["CMD-SHELL", s]` is `/bin/sh -c s`), anything else runs as `/bin/sh -c <text>`.
 */
export function parseHealthCmd(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new VcError('USAGE', '--health-cmd is empty');
  if (trimmed.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined;
    }
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string') || value.length === 0) {
      throw new VcError('USAGE', `invalid --health-cmd ${JSON.stringify(text)}`, {
        hint: 'a JSON array of strings (exec form), or a shell command line',
      });
    }
    const argv: readonly string[] = value;
    if (argv[0] === 'CMD-SHELL' && argv.length === 2) return ['/bin/sh', '-c', argv[1]!];
    const exec = argv[0] === 'CMD' ? argv.slice(1) : argv;
    if (exec.length === 0) throw new VcError('USAGE', '--health-cmd names no command');
    return [...exec];
  }
  return ['/bin/sh', '-c', text];
}

/** A healthcheck duration flag: a Go-style duration (`500ms`, `30s`, `1m30s`). */
export function parseHealthDuration(text: string, flag: string, allowZero: boolean): number {
  const ms = parseDurationMs(text.trim());
  if (ms === null || (!allowZero && ms <= 0)) {
    throw new VcError('USAGE', `invalid ${flag} ${JSON.stringify(text)}`, {
      hint: allowZero ? 'a duration such as 0s, 30s or 1m' : 'a duration above 0 such as 30s or 1m',
    });
  }
  return Math.round(ms);
}

function parseRetries(text: string): number {
  if (!/^[1-9][0-9]{0,5}$/.test(text.trim())) {
    throw new VcError('USAGE', `invalid --health-retries ${JSON.stringify(text)}`, {
      hint: 'a positive integer',
    });
  }
  return Number(text.trim());
}

function parseOnFailure(text: string): HealthOnFailure {
  if ((HEALTH_ON_FAILURE as readonly string[]).includes(text)) return text as HealthOnFailure;
  throw new VcError('USAGE', `invalid --health-on-failure ${JSON.stringify(text)}`, {
    hint: `one of ${HEALTH_ON_FAILURE.join(', ')}`,
  });
}

/** The signed `[runtime.healthcheck]` of an image (durations as written in the manifest). */
function signedHealthcheck(
  signed: NonNullable<RuntimeProfile['healthcheck']>,
): Omit<HealthcheckConfig, 'onFailure'> {
  const duration = (text: string, field: string, allowZero: boolean): number => {
    const ms = parseDurationMs(text);
    if (ms === null || (!allowZero && ms <= 0)) {
      throw new VcError(
        'MALFORMED_BUNDLE',
        `the image's healthcheck ${field} ${JSON.stringify(text)} is not a duration`,
      );
    }
    return Math.round(ms);
  };
  if (
    !Array.isArray(signed.command) ||
    signed.command.length === 0 ||
    !signed.command.every((s) => typeof s === 'string')
  ) {
    throw new VcError('MALFORMED_BUNDLE', "the image's healthcheck command is not an argv array");
  }
  return {
    test: [...signed.command],
    intervalMs: duration(signed.interval, 'interval', false),
    timeoutMs: duration(signed.timeout, 'timeout', false),
    startPeriodMs: duration(signed.startPeriod, 'start-period', true),
    retries:
      Number.isInteger(signed.retries) && signed.retries >= 1
        ? signed.retries
        : DEFAULT_HEALTH_RETRIES,
  };
}

/** The `--health-*` flags, checked: each present field parsed. */
export interface ParsedHealthFlags {
  readonly disabled: boolean;
  readonly test?: readonly string[];
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly startPeriodMs?: number;
  readonly onFailure?: HealthOnFailure;
}

/**
 * Parses the `--health-*` flags on their own (no image needed): a bad value, or
 * `--no-healthcheck` with another `--health-*` flag, is `USAGE`.
 */
export function parseHealthFlags(flags: HealthFlags): ParsedHealthFlags {
  const parsed: ParsedHealthFlags = {
    disabled: flags.healthcheck === false,
    ...(flags.healthCmd !== undefined ? { test: parseHealthCmd(flags.healthCmd) } : {}),
    ...(flags.healthInterval !== undefined
      ? { intervalMs: parseHealthDuration(flags.healthInterval, '--health-interval', false) }
      : {}),
    ...(flags.healthTimeout !== undefined
      ? { timeoutMs: parseHealthDuration(flags.healthTimeout, '--health-timeout', false) }
      : {}),
    ...(flags.healthRetries !== undefined ? { retries: parseRetries(flags.healthRetries) } : {}),
    ...(flags.healthStartPeriod !== undefined
      ? {
          startPeriodMs: parseHealthDuration(
            flags.healthStartPeriod,
            '--health-start-period',
            true,
          ),
        }
      : {}),
    ...(flags.healthOnFailure !== undefined
      ? { onFailure: parseOnFailure(flags.healthOnFailure) }
      : {}),
  };
  if (parsed.disabled && Object.keys(parsed).length > 1) {
    throw new VcError('USAGE', '--no-healthcheck conflicts with the other --health-* flags');
  }
  return parsed;
}

/**
 * The container's healthcheck: the flags over the image's signed one, field by field;
 * `--no-healthcheck` removes it. Undefined: no healthcheck. Bad flags, or `--health-*` tuning
 * without a command from either source, are `USAGE`.
 */
export function effectiveHealthcheck(
  signed: RuntimeProfile['healthcheck'] | undefined,
  flags: HealthFlags,
): HealthcheckConfig | undefined {
  const parsed = parseHealthFlags(flags);
  if (parsed.disabled) return undefined;
  const base = signed === undefined ? undefined : signedHealthcheck(signed);
  const test = parsed.test ?? base?.test;
  if (test === undefined) {
    if (Object.keys(parsed).length > 1) {
      throw new VcError('USAGE', 'the --health-* flags need a healthcheck', {
        hint: 'add --health-cmd (the image defines none)',
      });
    }
    return undefined;
  }
  return {
    test,
    intervalMs: parsed.intervalMs ?? base?.intervalMs ?? DEFAULT_HEALTH_INTERVAL_MS,
    timeoutMs: parsed.timeoutMs ?? base?.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
    retries: parsed.retries ?? base?.retries ?? DEFAULT_HEALTH_RETRIES,
    startPeriodMs: parsed.startPeriodMs ?? base?.startPeriodMs ?? DEFAULT_HEALTH_START_PERIOD_MS,
    onFailure: parsed.onFailure ?? 'none',
  };
}
