// SPDX-License-Identifier: Apache-2.0
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import type { BaseConfig } from '@verified-container/shared/oci';

/** `PATH` when neither the base nor the manifest sets one (02 §2). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where a layer came from: its config `history` entry (02 §2). */
export type LayerOrigin =
  | { readonly kind: 'base'; readonly ref: string }
  | { readonly kind: 'packages'; readonly count: number }
  | { readonly kind: 'steps'; readonly count: number };

/** Healthcheck with durations in nanoseconds, as the config stores them. */
export interface HealthcheckInput {
  /** The command argv; stored as `["CMD", ...argv]`. */
  readonly command: readonly string[];
  readonly intervalNs: number;
  readonly timeoutNs: number;
  readonly startPeriodNs: number;
  readonly retries: number;
}

/** The parts of a base image's config that a build inherits (moved to shared/oci). */
export type { BaseConfig };

/** Plain inputs of the image config; the build maps the manifest onto them. */
export interface ImageConfigInput {
  /** Debian architecture name (`amd64`, `arm64`, …), as the manifest normalises it. */
  readonly architecture: string;
  /** SOURCE_DATE_EPOCH in seconds: `created` of the config and every history item. */
  readonly sourceDateEpoch: number;
  /** The manifest's maintainer. */
  readonly author?: string;
  readonly base?: BaseConfig;
  /** `[runtime.environment]`, values stringified and stored verbatim. */
  readonly env?: Readonly<Record<string, string>>;
  /** `user[:group]` as written. */
  readonly user?: string;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly workingDir?: string;
  /** `"<port>/<proto>"`. */
  readonly exposedPorts?: readonly string[];
  /** Mount paths. */
  readonly volumes?: readonly string[];
  /** Labels laid over the base's (runtime labels, then the OCI and verified-container ones). */
  readonly labels?: Readonly<Record<string, string>>;
  readonly stopSignal?: string;
  readonly healthcheck?: HealthcheckInput;
  /** Every layer bottom-up, base layers included. */
  readonly layers: readonly { readonly diffId: string; readonly origin: LayerOrigin }[];
}

/** Debian architecture → OCI `architecture` and `variant`. */
const PLATFORMS: Readonly<Record<string, { architecture: string; variant?: string }>> = {
  amd64: { architecture: 'amd64' },
  arm64: { architecture: 'arm64', variant: 'v8' },
  armhf: { architecture: 'arm', variant: 'v7' },
  i386: { architecture: '386' },
  ppc64el: { architecture: 'ppc64le' },
  s390x: { architecture: 's390x' },
  riscv64: { architecture: 'riscv64' },
};

/** The config object of 02 §2; write it with `canonicalBytes` (see `toJsonBlob`). */
export function buildImageConfig(input: ImageConfigInput): Record<string, unknown> {
  const platform = PLATFORMS[input.architecture];
  if (platform === undefined) {
    throw new VcError('BUILD_ARCH_UNSUPPORTED', `unknown architecture ${input.architecture}`);
  }
  const created = epochToRfc3339(input.sourceDateEpoch);
  const base = input.base ?? {};
  const hc = input.healthcheck;
  const config = {
    User: input.user ?? base.user,
    ExposedPorts: toSet([...(base.exposedPorts ?? []), ...(input.exposedPorts ?? [])]),
    Env: mergeEnv(base.env ?? [], input.env ?? {}),
    Entrypoint: input.entrypoint ?? base.entrypoint,
    Cmd: input.cmd ?? base.cmd,
    WorkingDir: input.workingDir ?? base.workingDir,
    Volumes: toSet([...(base.volumes ?? []), ...(input.volumes ?? [])]),
    Labels: nonEmpty({ ...base.labels, ...input.labels }),
    StopSignal: input.stopSignal ?? base.stopSignal,
    Healthcheck: hc && {
      Test: ['CMD', ...hc.command],
      Interval: hc.intervalNs,
      Timeout: hc.timeoutNs,
      StartPeriod: hc.startPeriodNs,
      Retries: hc.retries,
    },
  };
  return dropUndefined({
    architecture: platform.architecture,
    variant: platform.variant,
    os: 'linux',
    created,
    author: input.author,
    config: dropUndefined(config),
    rootfs: { type: 'layers', diff_ids: input.layers.map((l) => l.diffId) },
    history: input.layers.map((l) => ({ created, created_by: createdBy(l.origin) })),
  });
}

/**
 * Config `Env` (02 §2): the base's entries in order, a manifest key already there replaced in
 * place, then the remaining manifest keys sorted by name. A base without `PATH` gets the default
 * in front, where a scratch image's would be, so a manifest `PATH` replaces it there.
 */
export function mergeEnv(
  baseEnv: readonly string[],
  manifestEnv: Readonly<Record<string, string>>,
): string[] {
  const keyOf = (item: string) => {
    const eq = item.indexOf('=');
    return eq < 0 ? item : item.slice(0, eq);
  };
  const env = baseEnv.some((e) => keyOf(e) === 'PATH')
    ? [...baseEnv]
    : [`PATH=${DEFAULT_PATH}`, ...baseEnv];
  const rest: string[] = [];
  for (const key of Object.keys(manifestEnv).sort()) {
    const item = `${key}=${manifestEnv[key]}`;
    const at = env.findIndex((e) => keyOf(e) === key);
    if (at >= 0) env[at] = item;
    else rest.push(item);
  }
  return [...env, ...rest];
}

export function createdBy(origin: LayerOrigin): string {
  switch (origin.kind) {
    case 'base':
      return `cerro-torre: base ${origin.ref}`;
    case 'packages':
      return `cerro-torre: packages (${origin.count})`;
    case 'steps':
      return `cerro-torre: steps (${origin.count})`;
  }
}

/** `YYYY-MM-DDTHH:MM:SSZ` of SOURCE_DATE_EPOCH (02 §1). */
export function epochToRfc3339(epoch: number): string {
  return formatRfc3339Utc(new Date(epoch * 1000));
}

function toSet(items: readonly string[]): Record<string, Record<string, never>> | undefined {
  if (items.length === 0) return undefined;
  return Object.fromEntries(items.map((i) => [i, {}]));
}

function nonEmpty(record: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(record).length === 0 ? undefined : record;
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
