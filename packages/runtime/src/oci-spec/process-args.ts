// SPDX-License-Identifier: Apache-2.0
// `process.args` and `process.cwd` of 05 §4.5.
import { VcError } from '@verified-container/shared';
import type { BaseConfig } from '@verified-container/shared/oci';

export interface ProcessArgsInput {
  readonly image: Pick<BaseConfig, 'entrypoint' | 'cmd'>;
  /** `--entrypoint` parsed (a string is one word, a JSON array its words, `""` → []); undefined = not given. */
  readonly entrypoint?: readonly string[];
  /** The command words after the image argument. */
  readonly command?: readonly string[];
}

/**
 * `--entrypoint` else the image `Entrypoint`, then the command words else the image `Cmd`. As in
 * docker, an `--entrypoint` also drops the image's `Cmd` (it was written for the old entrypoint).
 * An empty result is `USAGE`.
 */
export function processArgs(input: ProcessArgsInput): string[] {
  const entrypoint = input.entrypoint ?? input.image.entrypoint ?? [];
  const command =
    input.command !== undefined && input.command.length > 0
      ? input.command
      : input.entrypoint !== undefined
        ? []
        : (input.image.cmd ?? []);
  const args = [...entrypoint, ...command];
  if (args.length === 0) {
    throw new VcError('USAGE', 'no command to run: the image has no Entrypoint or Cmd', {
      hint: 'give a command after the image, or --entrypoint',
    });
  }
  return args;
}

/** `--entrypoint` as typed: `""` clears, a JSON array is its words, anything else one word. */
export function parseEntrypointFlag(value: string): string[] {
  if (value === '') return [];
  if (value.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) {
      throw new VcError('USAGE', `--entrypoint ${value}: not a JSON array of strings`);
    }
    return parsed;
  }
  return [value];
}
