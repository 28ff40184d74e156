// SPDX-License-Identifier: Apache-2.0
import { isAbsolute } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { RunFlags } from '../commands/run-flags.js';
import { validateBody, type BodySchema } from '../daemon/body.js';
import type { RunRequest } from './run-container.js';

/** ContainerCreate of 05 §12.2 as it arrives (validated against {@link CONTAINER_CREATE_SCHEMA}). */
export interface ContainerCreate {
  readonly name?: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly envFiles?: readonly string[];
  readonly ports?: readonly unknown[];
  readonly volumes?: readonly unknown[];
  readonly networks?: readonly unknown[];
  readonly user?: string;
  readonly workdir?: string;
  readonly hostname?: string;
  readonly extraHosts?: readonly string[];
  readonly readOnly?: boolean;
  readonly readOnlyTmpfs?: boolean;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly selinux?: Readonly<Record<string, unknown>>;
  readonly seccompProfile?: string;
  readonly egressAllow?: readonly string[];
  readonly memory?: string | number;
  readonly cpus?: string | number;
  readonly pidsLimit?: number;
  readonly ulimits?: Readonly<Record<string, unknown>>;
  readonly healthcheck?: Readonly<Record<string, unknown>>;
  readonly restart?: string;
  readonly stopTimeout?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly verifyMode?: string;
  readonly remove?: boolean;
  readonly start?: boolean;
  readonly privileged?: boolean;
}

export const CONTAINER_CREATE_SCHEMA: BodySchema = {
  required: ['image'],
  fields: {
    name: 'string',
    image: 'string',
    command: 'string[]',
    entrypoint: 'string[]',
    environment: 'string-map',
    envFiles: 'string[]',
    ports: 'array',
    volumes: 'array',
    networks: 'array',
    user: 'string',
    workdir: 'string',
    hostname: 'string',
    extraHosts: 'string[]',
    readOnly: 'boolean',
    readOnlyTmpfs: 'boolean',
    capAdd: 'string[]',
    capDrop: 'string[]',
    selinux: 'object',
    seccompProfile: 'string',
    egressAllow: 'string[]',
    memory: 'any',
    cpus: 'any',
    pidsLimit: 'integer',
    ulimits: 'object',
    healthcheck: 'object',
    restart: 'string',
    stopTimeout: 'integer',
    labels: 'string-map',
    verifyMode: 'string',
    remove: 'boolean',
    start: 'boolean',
    privileged: 'boolean',
  },
};

/**
 * A ContainerCreate body (05 §12.2) as the run request: each field becomes the flag it behaves
 * as (05 §3), so the API and `vordr run` share one path. Bad shapes are `VALIDATION_FAILED`.
 */
export function runRequestFromCreate(body: unknown): RunRequest {
  const create = validateBody<ContainerCreate>(body, CONTAINER_CREATE_SCHEMA);
  const flags: RunFlags & Record<string, unknown> = { detach: true };
  const set = <K extends keyof RunFlags>(key: K, value: RunFlags[K] | undefined): void => {
    if (value !== undefined) (flags as RunFlags)[key] = value;
  };
  set('name', create.name);
  if (create.entrypoint !== undefined) flags.entrypoint = JSON.stringify(create.entrypoint);
  if (create.environment !== undefined) {
    flags.env = Object.entries(create.environment).map(([k, v]) => `${k}=${v}`);
  }
  if (create.envFiles !== undefined) {
    for (const f of create.envFiles) {
      if (!isAbsolute(f)) invalid(`envFiles: ${f} is not an absolute path`, 'envFiles');
    }
    flags.envFile = [...create.envFiles];
  }
  if (create.ports !== undefined) flags.publish = create.ports.map(portFlag);
  if (create.volumes !== undefined) {
    create.volumes.forEach((v, i) => volumeFlag(v, i, flags));
  }
  if (create.networks !== undefined) {
    for (const [i, n] of create.networks.entries()) {
      if (typeof n === 'string') {
        flags.network = [...(flags.network ?? []), n];
      } else if (isObject(n) && typeof n['name'] === 'string') {
        flags.network = [...(flags.network ?? []), n['name']];
        const aliases = n['aliases'];
        if (aliases !== undefined) {
          if (!isStringArray(aliases))
            invalid(`networks[${i}].aliases must be strings`, `networks[${i}]`);
          flags.networkAlias = [...(flags.networkAlias ?? []), ...aliases];
        }
      } else {
        invalid(`networks[${i}] must be a name or {name, aliases}`, `networks[${i}]`);
      }
    }
  }
  set('user', create.user);
  set('workdir', create.workdir);
  set('hostname', create.hostname);
  if (create.extraHosts !== undefined) flags.addHost = [...create.extraHosts];
  set('readOnly', create.readOnly);
  set('readOnlyTmpfs', create.readOnlyTmpfs);
  if (create.capAdd !== undefined) flags.capAdd = [...create.capAdd];
  if (create.capDrop !== undefined) flags.capDrop = [...create.capDrop];
  const securityOpt: string[] = [];
  if (create.selinux !== undefined) {
    const { type, level, disable, ...rest } = create.selinux;
    if (Object.keys(rest).length > 0)
      invalid(`selinux: unknown field ${Object.keys(rest)[0]}`, 'selinux');
    if (typeof type === 'string') securityOpt.push(`label=type:${type}`);
    if (typeof level === 'string') securityOpt.push(`label=level:${level}`);
    if (disable === true) securityOpt.push('label=disable');
  }
  if (create.seccompProfile !== undefined) securityOpt.push(`seccomp=${create.seccompProfile}`);
  if (securityOpt.length > 0) flags.securityOpt = securityOpt;
  if (create.egressAllow !== undefined) flags.egressAllow = [...create.egressAllow];
  if (create.memory !== undefined) flags.memory = scalar(create.memory, 'memory');
  if (create.cpus !== undefined) flags.cpus = scalar(create.cpus, 'cpus');
  if (create.pidsLimit !== undefined) flags.pidsLimit = String(create.pidsLimit);
  if (create.ulimits !== undefined) {
    flags.ulimit = Object.entries(create.ulimits).map(
      ([name, v]) => `${name}=${ulimitValue(name, v)}`,
    );
  }
  if (create.healthcheck !== undefined) healthFlags(create.healthcheck, flags);
  set('restart', create.restart);
  if (create.stopTimeout !== undefined) flags.stopTimeout = String(create.stopTimeout);
  if (create.labels !== undefined) {
    flags.label = Object.entries(create.labels).map(([k, v]) => `${k}=${v}`);
  }
  set('verifyMode', create.verifyMode);
  set('rm', create.remove);
  set('privileged', create.privileged);
  return {
    image: create.image,
    command: create.command ?? [],
    flags,
    ...(create.start === false ? { start: false } : {}),
  };
}

function portFlag(port: unknown, i: number): string {
  if (!isObject(port) || !Number.isInteger(port['internal'])) {
    invalid(`ports[${i}] must be {internal, external?, protocol?, hostIp?}`, `ports[${i}]`);
  }
  const p = port;
  const host = p['hostIp'] !== undefined ? `${word(p['hostIp'], `ports[${i}].hostIp`)}:` : '';
  const external =
    p['external'] !== undefined
      ? `${word(p['external'], `ports[${i}].external`)}:`
      : host !== ''
        ? ':'
        : '';
  const protocol =
    p['protocol'] !== undefined ? `/${word(p['protocol'], `ports[${i}].protocol`)}` : '';
  return `${host}${external}${word(p['internal'], `ports[${i}].internal`)}${protocol}`;
}

function volumeFlag(volume: unknown, i: number, flags: RunFlags): void {
  const at = `volumes[${i}]`;
  if (!isObject(volume) || typeof volume['target'] !== 'string') {
    invalid(`${at} must be {source?, target, readOnly?, type?, options?}`, at);
  }
  const v = volume;
  const options = v['options'];
  const optionList =
    options === undefined
      ? []
      : typeof options === 'string'
        ? [options]
        : isStringArray(options)
          ? options
          : invalid(`${at}.options must be a string or strings`, at);
  const type =
    v['type'] ?? (typeof v['source'] === 'string' && isAbsolute(v['source']) ? 'bind' : 'volume');
  if (type === 'tmpfs') {
    flags.tmpfs = [
      ...(flags.tmpfs ?? []),
      `${String(v['target'])}${optionList.length > 0 ? `:${optionList.join(',')}` : ''}`,
    ];
    return;
  }
  if ((type !== 'bind' && type !== 'volume') || typeof v['source'] !== 'string') {
    invalid(`${at}: type bind or volume needs a source`, at);
  }
  const opts = [...(v['readOnly'] === true ? ['ro'] : []), ...optionList];
  flags.volume = [
    ...(flags.volume ?? []),
    `${String(v['source'])}:${String(v['target'])}${opts.length > 0 ? `:${opts.join(',')}` : ''}`,
  ];
}

function healthFlags(
  health: Readonly<Record<string, unknown>>,
  flags: RunFlags & Record<string, unknown>,
): void {
  if (health['disable'] === true) {
    flags.healthcheck = false;
    return;
  }
  const test = health['test'];
  if (test !== undefined) {
    if (!isStringArray(test) || test.length === 0) {
      invalid('healthcheck.test must be a non-empty array of strings', 'healthcheck');
    }
    flags.healthCmd =
      test[0] === 'CMD-SHELL'
        ? test.slice(1).join(' ')
        : JSON.stringify(test[0] === 'CMD' ? test.slice(1) : test);
  }
  for (const key of ['interval', 'timeout', 'retries', 'startPeriod', 'onFailure']) {
    const value = health[key];
    if (value !== undefined) {
      flags[`health${key[0]!.toUpperCase()}${key.slice(1)}`] = word(value, `healthcheck.${key}`);
    }
  }
}

function ulimitValue(name: string, value: unknown): string {
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (isObject(value) && value['soft'] !== undefined) {
    const soft = word(value['soft'], `ulimits.${name}.soft`);
    return value['hard'] !== undefined
      ? `${soft}:${word(value['hard'], `ulimits.${name}.hard`)}`
      : soft;
  }
  return invalid(
    `ulimits.${name} must be a number, "soft:hard" or {soft, hard}`,
    `ulimits.${name}`,
  );
}

function scalar(value: unknown, field: string): string {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))
    return String(value);
  return invalid(`${field} must be a string or a number`, field);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function invalid(message: string, path: string): never {
  throw new VcError('VALIDATION_FAILED', message, {
    errors: [{ code: 'VALIDATION_FAILED', message, path: `$.${path}` }],
  });
}

/** A string or finite number as text; anything else is `VALIDATION_FAILED` at `path`. */
function word(value: unknown, path: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return invalid(`${path} must be a string or a number`, path);
}
