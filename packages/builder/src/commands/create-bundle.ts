// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Problem } from '@verified-container/shared';
import {
  BUNDLE_MEDIA_TYPE,
  BUNDLE_VERSION,
  parseBundle,
  serializeBundle,
} from '@verified-container/shared/attestation';
import { sha256Digest } from '@verified-container/shared/crypto';
import { JsonError, parseJson, type JsonValue } from '@verified-container/shared/json';
import { formatRfc3339Utc } from '@verified-container/shared/time';
import { action, ALWAYS_JSON, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { readInputFile, writeFileAtomic } from '../io/files.js';
import { BUILDER_VERSION } from '../version.js';

interface CreateBundleFlags {
  attestations?: string;
  logEntries?: string;
  output?: string;
  metadata?: string;
}

export function makeCreateBundleCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('create-bundle', 'assemble an attestation bundle (02 §11) from its parts')
    .requiredOption('--attestations <file>', 'JSON array of DSSE envelopes')
    .requiredOption('--log-entries <file>', 'JSON array of bundle log entries')
    .requiredOption('--output <file>', 'where to write the bundle')
    .option('--metadata <file>', 'JSON object for "metadata" (default producer and now)')
    .addHelpText(
      'after',
      `
Checks every item as verification step 3 does (log coverage is not checked) and writes the
bundle atomically (2-space JSON, final LF). Output (stdout):
{"created":true,"bundleDigest":"sha256:…","path":…} or {"created":false,"errors":[…]}.

Exit status: 0 written, 1 invalid input, 2 unreadable input or write failure.`,
    )
    .action(
      action(
        box,
        'conformance',
        async (flags: CreateBundleFlags) => createBundle(flags, deps),
        ALWAYS_JSON,
      ),
    );
}

/** `create-bundle` (04 §8). */
export async function createBundle(
  flags: CreateBundleFlags,
  deps: CliDeps,
): Promise<CommandResult> {
  const errors: Problem[] = [];
  const read = async (file: string | undefined, member: string): Promise<JsonValue | undefined> => {
    const bytes = await readInputFile(resolve(deps.cwd, file ?? ''), { what: member });
    try {
      return parseJson(bytes, { mode: 'strict', integersOnly: true });
    } catch (err) {
      if (!(err instanceof JsonError)) throw err;
      errors.push({
        code: 'MALFORMED_BUNDLE',
        path: `$.${member}${err.path === '$' ? '' : err.path.slice(1)}`,
        message: `${file ?? ''}: ${err.message}`,
      });
      return undefined;
    }
  };
  const attestations = await read(flags.attestations, 'attestations');
  const logEntries = await read(flags.logEntries, 'logEntries');
  const metadata =
    flags.metadata !== undefined
      ? await read(flags.metadata, 'metadata')
      : {
          producer: 'cerro-torre',
          producerVersion: BUILDER_VERSION,
          createdAt: formatRfc3339Utc(deps.clock.now()),
        };
  if (errors.length > 0) return invalid(errors);
  for (const [member, value] of [
    ['attestations', attestations],
    ['logEntries', logEntries],
  ] as const) {
    if (!Array.isArray(value)) {
      errors.push({
        code: 'MALFORMED_BUNDLE',
        path: `$.${member}`,
        message: `${member} must be a JSON array`,
      });
    }
  }
  if (errors.length > 0) return invalid(errors);
  const candidate = {
    mediaType: BUNDLE_MEDIA_TYPE,
    version: BUNDLE_VERSION,
    attestations,
    logEntries,
    metadata,
  };
  // The exact structure rules of step 3, applied to the assembled document.
  const checked = parseBundle(new TextEncoder().encode(JSON.stringify(candidate)));
  if (checked.bundle === undefined || checked.errors.length > 0) return invalid(checked.errors);
  const text = serializeBundle(checked.bundle);
  const output = resolve(deps.cwd, flags.output ?? '');
  await writeFileAtomic(output, text);
  return {
    exitCode: 0,
    stdout: jsonLine({ created: true, bundleDigest: sha256Digest(text), path: flags.output }),
    stderr: `✓ wrote ${flags.output ?? ''}\n`,
  };
}

function invalid(errors: readonly Problem[]): CommandResult {
  return {
    exitCode: 1,
    stdout: jsonLine({ created: false, errors }),
    stderr: errors.map((e) => `✗ ${e.code}: ${e.message} (${e.path ?? '$'})\n`).join(''),
  };
}
