// SPDX-License-Identifier: Apache-2.0
// Reading an OCI image config (02 §2): what a build inherits from a base and what a runtime runs.
import { parseJson, type JsonValue } from '../json/index.js';

/** The parts of an image config's `config` object that builds inherit and runtimes use. */
export interface BaseConfig {
  readonly env?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  readonly exposedPorts?: readonly string[];
  readonly volumes?: readonly string[];
  readonly stopSignal?: string;
}

/** An image config as read: platform, layer diff ids (bottom-up) and the `config` object. */
export interface ImageConfigDocument {
  readonly architecture: string;
  readonly os: string;
  /** `rootfs.diff_ids`, bottom-up: `sha256:` of each uncompressed layer tar. */
  readonly diffIds: readonly string[];
  readonly config: BaseConfig;
}

/**
 * Parses config blob bytes (strict JSON). Throws a plain Error naming what is wrong (`what`
 * prefixes it); callers choose the code. Diff ids must be `sha256:<64 hex>`.
 */
export function parseImageConfig(bytes: Uint8Array, what: string): ImageConfigDocument {
  let value: JsonValue;
  try {
    value = parseJson(bytes, { mode: 'strict' });
  } catch (cause) {
    throw new Error(`${what} is not JSON`, { cause });
  }
  return toImageConfig(value, what);
}

/** {@link parseImageConfig} of an already parsed document. */
export function toImageConfig(value: JsonValue, what: string): ImageConfigDocument {
  const config = object(value, what);
  const rootfs = object(config['rootfs'], `${what} rootfs`);
  const diffIds = array(rootfs['diff_ids'], `${what} rootfs.diff_ids`).map((d, i) => {
    if (typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d)) {
      throw new Error(`${what} rootfs.diff_ids[${i}] is not a sha256 digest`);
    }
    return d;
  });
  const c = config['config'] === undefined ? {} : object(config['config'], `${what} config`);
  return {
    architecture: typeof config['architecture'] === 'string' ? config['architecture'] : '',
    os: typeof config['os'] === 'string' ? config['os'] : '',
    diffIds,
    config: baseConfigOf(c),
  };
}

/** The `config` object of an OCI config, as {@link BaseConfig}. */
export function baseConfigOf(c: Readonly<Record<string, JsonValue>>): BaseConfig {
  const strings = (v: JsonValue | undefined) =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
  const keys = (v: JsonValue | undefined) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : undefined;
  const labels =
    c['Labels'] !== null && typeof c['Labels'] === 'object' && !Array.isArray(c['Labels'])
      ? Object.fromEntries(
          Object.entries(c['Labels']).filter(
            (e): e is [string, string] => typeof e[1] === 'string',
          ),
        )
      : undefined;
  const out: {
    -readonly [K in keyof BaseConfig]: BaseConfig[K];
  } = {};
  const env = strings(c['Env']);
  if (env !== undefined) out.env = env;
  if (labels !== undefined) out.labels = labels;
  const entrypoint = strings(c['Entrypoint']);
  if (entrypoint !== undefined) out.entrypoint = entrypoint;
  const cmd = strings(c['Cmd']);
  if (cmd !== undefined) out.cmd = cmd;
  if (typeof c['User'] === 'string' && c['User'] !== '') out.user = c['User'];
  if (typeof c['WorkingDir'] === 'string' && c['WorkingDir'] !== '')
    out.workingDir = c['WorkingDir'];
  const ports = keys(c['ExposedPorts']);
  if (ports !== undefined) out.exposedPorts = ports;
  const volumes = keys(c['Volumes']);
  if (volumes !== undefined) out.volumes = volumes;
  if (typeof c['StopSignal'] === 'string') out.stopSignal = c['StopSignal'];
  return out;
}

function object(v: JsonValue | undefined, what: string): Record<string, JsonValue> {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`${what} is not an object`);
  }
  return v;
}

function array(v: JsonValue | undefined, what: string): JsonValue[] {
  if (!Array.isArray(v)) throw new Error(`${what} is not an array`);
  return v;
}
