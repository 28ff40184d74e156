// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VcError } from '@verified-container/shared';
import { sha256Digest } from '@verified-container/shared/crypto';
import { canonicalBytes, JsonError, parseJson } from '@verified-container/shared/json';
import { action, ALWAYS_JSON, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile, writeFileAtomic } from '../io/files.js';

interface CanonicalizeFlags {
  input?: string;
  output?: string;
}

export function makeCanonicalizeCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('canonicalize', 'print the RFC 8785 (JCS) form of a JSON document')
    .requiredOption('--input <file>', 'the JSON document')
    .option('--output <file>', 'write the canonical bytes here instead of stdout')
    .addHelpText(
      'after',
      `
Parses with ECMA-262 JSON.parse semantics (a duplicate member name keeps the last value and is
reported on stderr; any finite number) and prints the RFC 8785 bytes with no trailing newline.
With --output the bytes go to the file (written atomically) and stdout gets
{"canonicalized":true,"digest":"sha256:…","path":…}.

Exit status: 0 done, 1 not JSON (or a lone surrogate, a non-finite number), 2 unreadable file.`,
    )
    .action(
      action(
        box,
        'conformance',
        async (flags: CanonicalizeFlags) =>
          canonicalizeFile(deps.cwd, flags.input ?? '', flags.output),
        ALWAYS_JSON,
      ),
    );
}

export async function canonicalizeFile(
  cwd: string,
  input: string,
  output?: string,
): Promise<CommandResult> {
  const bytes = await readInputFile(resolve(cwd, input), { what: 'JSON input' });
  const warnings: string[] = [];
  let canonical: Uint8Array;
  try {
    const value = parseJson(bytes, {
      mode: 'ecma',
      maxDepth: 10_000,
      onDuplicate: (key, path) =>
        warnings.push(`warning: duplicate key ${JSON.stringify(key)} at ${path} (last value kept)`),
    });
    canonical = canonicalBytes(value);
  } catch (err) {
    if (err instanceof JsonError || (err instanceof VcError && err.code === 'JSON_INVALID')) {
      return {
        exitCode: 1,
        stdout: jsonLine({ canonicalized: false, message: `${input}: ${err.message}` }),
        stderr: `Error [JSON_INVALID]: ${input}: ${err.message}\n`,
      };
    }
    throw err;
  }
  const stderr = warnings.length > 0 ? `${warnings.join('\n')}\n` : undefined;
  if (output === undefined) return { exitCode: 0, stdout: canonical, stderr };
  await writeFileAtomic(resolve(cwd, output), canonical);
  return {
    exitCode: 0,
    stdout: jsonLine({ canonicalized: true, digest: sha256Digest(canonical), path: output }),
    stderr,
  };
}
