// SPDX-License-Identifier: Apache-2.0
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { VcError } from '@verified-container/shared';
import {
  formatDiagnostic,
  parseManifest,
  type ManifestDiagnostic,
} from '@verified-container/shared/manifest';
import {
  DOCUMENT_TYPES,
  validateDocument,
  type DocumentType,
} from '@verified-container/shared/validate';
import { parseTrustStore } from '@verified-container/shared/attestation';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps, CommandResult } from '../cli/deps.js';
import { jsonLine, plural } from '../cli/output.js';
import { readInputFile } from '../io/files.js';

/** 01 §1.1: a manifest is at most 1 MiB; we read one byte more to tell "too large". */
const MANIFEST_MAX_BYTES = 1024 * 1024;
/** 04 §3: signed documents are at most 64 MiB. */
const DOCUMENT_MAX_BYTES = 64 * 1024 * 1024;

interface ValidateFlags {
  type?: DocumentType | 'manifest';
  input?: string;
  profile?: 'dev' | 'production';
  trustStore?: string;
  json?: boolean;
}

export function makeValidateCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('validate', 'check a manifest, or a bundle, trust store or log document')
    .argument('[manifest]', 'the .ctp manifest to check')
    .addOption(
      new Option('--type <type>', 'document type (conformance form)').choices([
        ...DOCUMENT_TYPES,
        'manifest',
      ]),
    )
    .option('--input <file>', 'the document to check (with --type)')
    .addOption(new Option('--profile <profile>', 'trust profile').choices(['dev', 'production']))
    .option(
      '--trust-store <file>',
      'check tree-head and checkpoint signatures with this trust store',
    )
    .option('--json', 'print the result as one JSON document on stdout')
    .addHelpText(
      'after',
      `
Checks every rule of the manifest dialect (spec 01) and reports every problem, one line each on
stderr as file:line:column, sorted by position. With --type, checks a JSON document instead and
always prints {"valid":…,"errors":[…],"warnings":[…]} on stdout.

Exit status: 0 valid, 1 invalid, 2 unreadable file or usage error.

Examples:
  cerro-torre validate php-aegis-wordpress.ctp
  cerro-torre validate --type attestation-bundle --input bundle.json --profile dev`,
    )
    .action(
      action(
        box,
        'conformance',
        async (manifest: string | undefined, flags: ValidateFlags) => {
          if (flags.type !== undefined && flags.type !== 'manifest') {
            if (flags.input === undefined) throw usage('--type needs --input FILE');
            return validateDocumentFile(flags.type, flags.input, flags, deps.cwd);
          }
          const path = flags.input ?? manifest;
          if (path === undefined) throw usage('name the manifest to validate');
          const json = flags.json === true || flags.type === 'manifest';
          return validateManifestFile(path, json, deps.cwd);
        },
        { jsonErrors: (f) => f['json'] === true || f['type'] !== undefined },
      ),
    );
}

export async function validateManifestFile(
  path: string,
  json: boolean,
  cwd: string,
): Promise<CommandResult> {
  const bytes = await readInputFile(resolve(cwd, path), {
    maxBytes: MANIFEST_MAX_BYTES,
    what: 'manifest',
  });
  const result = parseManifest(bytes, { source: path });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  const exitCode = errors.length === 0 ? 0 : 1;
  const stderr = humanDiagnostics(path, result.diagnostics);
  if (!json) return { exitCode, stderr };
  const doc = {
    valid: errors.length === 0,
    ...(errors[0] !== undefined ? { errorCode: errors[0].code } : {}),
    errors,
    warnings,
  };
  return { exitCode, stdout: jsonLine(doc), stderr };
}

export function humanDiagnostics(path: string, diagnostics: readonly ManifestDiagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const lines = diagnostics.map(formatDiagnostic);
  lines.push(
    errors === 0
      ? `${path}: valid${warnings > 0 ? ` (${plural(warnings, 'warning')})` : ''}`
      : `${path}: invalid (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`,
  );
  return `${lines.join('\n')}\n`;
}

async function validateDocumentFile(
  type: DocumentType,
  input: string,
  flags: ValidateFlags,
  cwd: string,
): Promise<CommandResult> {
  const bytes = await readInputFile(resolve(cwd, input), {
    maxBytes: DOCUMENT_MAX_BYTES,
    what: type,
  });
  let trustStore;
  if (flags.trustStore !== undefined) {
    const storeBytes = await readInputFile(resolve(cwd, flags.trustStore), { what: 'trust store' });
    const parsed = parseTrustStore(storeBytes, { profile: flags.profile ?? 'dev' });
    if (parsed.trustStore === undefined) {
      throw new VcError(
        parsed.errors[0]?.code ?? 'TRUST_STORE_INVALID',
        `${flags.trustStore}: ${parsed.errors[0]?.message ?? 'invalid trust store'}`,
      );
    }
    trustStore = parsed.trustStore;
  }
  const result = validateDocument(type, bytes, {
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(trustStore !== undefined ? { trustStore } : {}),
  });
  const lines = [
    ...result.errors.map((e) => `error ${e.code} ${e.path}: ${e.message}`),
    ...result.warnings.map((w) => `warning ${w.code} ${w.path ?? '$'}: ${w.message}`),
    `${input}: ${result.valid ? 'valid' : 'invalid'} ${type}`,
  ];
  return {
    exitCode: result.valid ? 0 : 1,
    stdout: jsonLine(result),
    stderr: `${lines.join('\n')}\n`,
  };
}

function usage(message: string): VcError {
  return new VcError('USAGE', message, { hint: 'see cerro-torre validate --help' });
}
