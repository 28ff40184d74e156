// SPDX-License-Identifier: Apache-2.0
// A converted manifest as `.ctp` text: the "not converted" list as comments on top, then only the
// sections that have something in them, in the order of 01 §2.
import type { ManifestDraft } from './manifest-draft.js';
import { stepToToml } from './steps.js';
import {
  tomlArray,
  tomlComment,
  tomlInline,
  tomlKey,
  tomlString,
  type TomlValue,
} from './toml-writer.js';

export interface RenderOptions {
  readonly name: string;
  readonly version: string;
  /** The Dockerfile as the user named it, for the comments. */
  readonly source: string;
  /** The "not converted" lines, already formatted. */
  readonly notConverted: readonly string[];
}

export function renderManifest(draft: ManifestDraft, opts: RenderOptions): string {
  const out: string[] = [
    tomlComment(`Converted from ${opts.source} by \`cerro-torre convert-dockerfile\`.`),
  ];
  if (opts.notConverted.length > 0) {
    out.push(tomlComment('Not converted (edit by hand):'));
    out.push(...opts.notConverted.map(tomlComment));
  }
  const section = (header: string, lines: readonly string[]): void => {
    if (lines.length > 0) out.push('', `[${header}]`, ...lines);
  };
  const entry = (key: string, value: TomlValue | undefined): string[] =>
    value === undefined ? [] : [`${tomlKey(key)} = ${tomlInline(value)}`];

  section('package', [...entry('name', opts.name), ...entry('version', opts.version)]);
  section('base', entry('image', draft.base));
  section(
    'dependencies',
    draft.packages.length > 0 ? [tomlArray('packages = ', draft.packages)] : [],
  );
  section(
    'build',
    draft.steps.length > 0 ? [tomlArray('steps = ', draft.steps.map(stepToToml), 0)] : [],
  );
  const workdir = draft.workdir !== undefined && draft.workdir !== '/' ? draft.workdir : undefined;
  section('runtime', [
    ...entry('command', draft.command),
    ...entry('entrypoint', draft.entrypoint),
    ...entry('workdir', workdir),
    ...entry('user', draft.user),
    ...entry('group', draft.group),
    ...entry('stop-signal', draft.stopSignal),
  ]);
  section(
    'runtime.environment',
    [...draft.environment].map(([k, v]) => `${tomlKey(k)} = ${tomlString(literalDollars(v))}`),
  );
  section(
    'runtime.ports',
    [...draft.ports].map(([k, p]) => `${tomlKey(k)} = ${tomlInline({ ...p })}`),
  );
  section(
    'runtime.volumes',
    draft.volumes.map((mount, i) => `vol-${i + 1} = ${tomlInline({ mount })}`),
  );
  const hc = draft.healthcheck;
  section(
    'runtime.healthcheck',
    hc === undefined
      ? []
      : [
          ...entry('command', hc.command),
          ...entry('interval', hc.interval),
          ...entry('timeout', hc.timeout),
          ...entry('start-period', hc['start-period']),
          ...entry('retries', hc.retries),
        ],
  );
  section(
    'runtime.labels',
    [...draft.labels].map(([k, v]) => `${tomlKey(k)} = ${tomlString(v)}`),
  );
  return `${out.join('\n')}\n`;
}

/**
 * Environment values are resolved by vordr at run time (01 §2.1); Docker resolved them at build
 * time, so a `$` that would start `${…}` or `$$` is written as `$$` to stay literal.
 */
function literalDollars(value: string): string {
  return value.replace(/\$(?=[{$])/g, '$$$$');
}
