// SPDX-License-Identifier: Apache-2.0
// Dockerfile → `.ctp` manifest (01 §7). Pure: takes parsed instructions, returns the manifest text
// and everything that could not be expressed, each with its line.
import { DEFAULT_CONVERTED_BASE, mapBaseImage } from './base-images.js';
import { convertCopy } from './copy-instructions.js';
import { ManifestDraft, type NotConverted } from './manifest-draft.js';
import type { DockerfileInstruction } from './parse-dockerfile.js';
import { renderManifest } from './render-manifest.js';
import { convertRun } from './run-instruction.js';
import {
  convertArg,
  convertCommand,
  convertEnv,
  convertExpose,
  convertHealthcheck,
  convertLabel,
  convertStopSignal,
  convertUser,
  convertVolume,
  convertWorkdir,
} from './runtime-instructions.js';
import { isWord, lexWords, wordProblem } from './shell-lexer.js';

export type { NotConverted } from './manifest-draft.js';

export interface ConvertOptions {
  /** `[package] name`. */
  readonly name: string;
  /** `[package] version`. */
  readonly version: string;
  /** The Dockerfile as the user named it, for the "not converted" lines (default `Dockerfile`). */
  readonly source?: string;
}

export interface ConversionResult {
  /** The manifest, with the "not converted" lines as comments at the top. */
  readonly manifestText: string;
  /** What could not be expressed, by line. */
  readonly notConverted: readonly NotConverted[];
}

/** Instructions whose options the converter reads itself. */
const TAKES_FLAGS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

/**
 * Converts a Dockerfile's last stage into a manifest. Whatever has no equivalent, or could only be
 * guessed (unknown variables, relative paths under an unknown WORKDIR), is listed, not invented.
 */
export function convertDockerfile(
  instructions: readonly DockerfileInstruction[],
  opts: ConvertOptions,
): ConversionResult {
  const d = new ManifestDraft();
  const froms = instructions.flatMap((ins, i) => (ins.keyword === 'FROM' ? [i] : []));
  const firstFrom = froms[0] ?? instructions.length;
  const finalFrom = froms[froms.length - 1];
  if (finalFrom === undefined) d.list(1, 'FROM', 'the Dockerfile has no FROM instruction');
  // Earlier stages, by name and by index, for FROM <stage> and COPY --from=<stage>.
  const stages = new Set<string>();

  instructions.forEach((ins, i) => {
    if (i < firstFrom) {
      if (ins.keyword === 'ARG') convertArg(ins, d, true);
      else d.list(ins.line, ins.text, 'only ARG may come before the first FROM');
    } else if (finalFrom !== undefined && i < finalFrom) {
      if (ins.keyword !== 'FROM') return;
      const stage = froms.indexOf(i);
      const name = stageName(ins);
      const next = instructions[(froms[stage + 1] ?? instructions.length) - 1];
      d.list(
        ins.line,
        ins.text,
        `build stage ${name === undefined ? stage : JSON.stringify(name)}, lines ${ins.line}-${next?.endLine ?? ins.line}, is not converted: only the last stage becomes the image`,
      );
      stages.add(String(stage));
      if (name !== undefined) stages.add(name.toLowerCase());
    } else if (i === finalFrom) {
      convertFrom(ins, d, stages);
    } else {
      convertInstruction(ins, d, stages);
    }
  });

  // A composer-require step runs in runtime.workdir unless told otherwise (01 §3).
  const runtimeWorkdir = d.workdir ?? '/';
  for (const [i, step] of d.steps.entries()) {
    if (step.action === 'composer-require' && step.dir === runtimeWorkdir) {
      d.steps[i] = { action: step.action, package: step.package };
    }
  }

  const source = opts.source ?? 'Dockerfile';
  const notConverted = d.notConverted
    .map((item, order) => ({ item, order }))
    .sort((a, b) => a.item.line - b.item.line || a.order - b.order)
    .map(({ item }) => item);
  const manifestText = renderManifest(d, {
    name: opts.name,
    version: opts.version,
    source,
    notConverted: notConverted.map((n) => formatNotConverted(source, n)),
  });
  return { manifestText, notConverted };
}

/** `Dockerfile:<line>: not converted: <instruction> (<reason>)` (01 §7). */
export function formatNotConverted(source: string, item: NotConverted): string {
  return `${source}:${item.line}: not converted: ${item.instruction} (${item.reason})`;
}

function convertFrom(ins: DockerfileInstruction, d: ManifestDraft, stages: ReadonlySet<string>) {
  d.vars.clear();
  for (const flag of ins.flags) {
    d.list(
      ins.line,
      `FROM --${flag.name}${flag.value === undefined ? '' : `=${flag.value}`}`,
      flag.name === 'platform'
        ? "the image is built for the build host's architecture"
        : `--${flag.name} is not converted`,
    );
  }
  const words = lexWords(ins.args, {
    escape: ins.escape,
    lookup: (n) => d.globalArgs.get(n),
  }).filter(isWord);
  const image = words[0];
  const fallback = (reason: string): void => {
    d.base = DEFAULT_CONVERTED_BASE;
    d.list(ins.line, ins.text, `${reason}; ${DEFAULT_CONVERTED_BASE} is used instead`);
  };
  if (image === undefined || !(words.length === 1 || words[1]?.value.toLowerCase() === 'as')) {
    return fallback('expected FROM <image> [AS <name>]');
  }
  const problem = wordProblem(image);
  if (problem !== undefined) return fallback(problem);
  if (stages.has(image.value.toLowerCase())) {
    return fallback(
      `based on the build stage ${JSON.stringify(image.value)}, which is not converted`,
    );
  }
  const mapped = mapBaseImage(image.value);
  if (mapped === undefined) {
    return fallback(`no Cerro Torre base or package for ${JSON.stringify(image.value)}`);
  }
  d.base = mapped.base;
  mapped.packages.forEach((p) => d.addPackage(p));
  for (const note of mapped.notes) d.list(ins.line, ins.text, note);
}

function convertInstruction(
  ins: DockerfileInstruction,
  d: ManifestDraft,
  stages: ReadonlySet<string>,
): void {
  if (!TAKES_FLAGS.has(ins.keyword)) {
    for (const flag of ins.flags) {
      d.list(ins.line, ins.text, `--${flag.name} is not an option of ${ins.keyword}`);
    }
  }
  switch (ins.keyword) {
    case 'RUN':
      return convertRun(ins, d);
    case 'COPY':
    case 'ADD':
      return convertCopy(ins, d, { stages });
    case 'ENV':
      return convertEnv(ins, d);
    case 'ARG':
      return convertArg(ins, d, false);
    case 'LABEL':
      return convertLabel(ins, d);
    case 'WORKDIR':
      return convertWorkdir(ins, d);
    case 'USER':
      return convertUser(ins, d);
    case 'EXPOSE':
      return convertExpose(ins, d);
    case 'CMD':
    case 'ENTRYPOINT':
      return convertCommand(ins, d);
    case 'VOLUME':
      return convertVolume(ins, d);
    case 'HEALTHCHECK':
      return convertHealthcheck(ins, d);
    case 'STOPSIGNAL':
      return convertStopSignal(ins, d);
    case 'SHELL':
      return d.list(ins.line, ins.text, 'a manifest has no shell');
    case 'ONBUILD':
      return d.list(ins.line, ins.text, 'triggers for later builds are not converted');
    case 'MAINTAINER':
      return d.list(ins.line, ins.text, 'deprecated; set [metadata] maintainer by hand');
    default:
      return d.list(ins.line, ins.text, `unknown instruction ${ins.keyword}`);
  }
}

function stageName(ins: DockerfileInstruction): string | undefined {
  const words = lexWords(ins.args, { escape: ins.escape }).filter(isWord);
  return words.length === 3 && words[1]?.value.toLowerCase() === 'as' ? words[2]?.value : undefined;
}
