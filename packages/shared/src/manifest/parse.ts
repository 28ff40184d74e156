// SPDX-License-Identifier: Apache-2.0
import { parse, TomlError } from 'smol-toml';
import { checkLimits } from './check-limits.js';
import { checkSecurity } from './check-security.js';
import { checkSources } from './check-sources.js';
import { checkSteps } from './check-steps.js';
import { checkTrust } from './check-trust.js';
import { DiagnosticCollector, type ManifestDiagnostic } from './diagnostics.js';
import { decodeManifest } from './encoding.js';
import { locateToml } from './locate.js';
import { ManifestSchema, type Manifest } from './schema.js';
import { resolveTemplates } from './templates.js';
import type { TomlTable } from './tree.js';
import { reportZodIssues } from './zod-issues.js';

export interface ParseManifestOptions {
  /** File name used in diagnostics, e.g. `php-aegis-wordpress.ctp`. */
  readonly source: string;
}

export interface ManifestResult {
  /** No diagnostic has severity "error" (warnings allowed). */
  readonly ok: boolean;
  /** Present exactly when `ok`. */
  readonly manifest?: Manifest;
  /** Every problem, sorted by line then column. */
  readonly diagnostics: ManifestDiagnostic[];
}

/**
 * Loads a `.ctp` manifest (01 §1–§4): checks the bytes, parses TOML, resolves `{{…}}` templates, validates
 * every section and returns the normalised manifest with all diagnostics. Pure and synchronous; bad input
 * never throws. Encoding, size and syntax errors are reported alone.
 */
export function parseManifest(
  input: string | Uint8Array,
  opts: ParseManifestOptions,
): ManifestResult {
  const file = opts.source;
  const decoded = decodeManifest(input);
  if (!decoded.ok) {
    const { code, message, line, column } = decoded;
    return alone({
      code,
      severity: 'error',
      path: '$',
      message,
      ...hintOf(decoded.hint),
      file,
      line,
      column,
    });
  }
  let tree: TomlTable;
  try {
    tree = parse(decoded.text, { integersAsBigInt: true, unsafeKeyBehaviour: 'throw' });
  } catch (err) {
    return alone(syntaxDiagnostic(err, decoded.text, file));
  }

  const locations = locateToml(decoded.text);
  const collector = new DiagnosticCollector(file, locations);
  const { resolved, refs, failed } = resolveTemplates(tree, collector.report);
  const parsed = ManifestSchema.safeParse(resolved);
  if (!parsed.success)
    reportZodIssues(parsed.error.issues, ManifestSchema, resolved, collector.report);
  const ctx = { root: resolved, locations, report: collector.report };
  checkLimits(ctx);
  checkSources(ctx);
  checkSteps(ctx);
  checkSecurity(ctx);
  checkTrust(ctx);
  collector.dropAt(failed);
  collector.foldReferences(refs);

  const diagnostics = collector.diagnostics();
  const ok = !collector.hasErrors();
  if (!ok) return { ok, diagnostics };
  if (!parsed.success) throw new Error('internal: schema issues were not reported as errors');
  return { ok, manifest: parsed.data, diagnostics };
}

function alone(diagnostic: ManifestDiagnostic): ManifestResult {
  return { ok: false, diagnostics: [diagnostic] };
}

function hintOf(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint };
}

function syntaxDiagnostic(err: unknown, text: string, file: string): ManifestDiagnostic {
  if (!(err instanceof TomlError)) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      code: 'MANIFEST_SYNTAX',
      severity: 'error',
      path: '$',
      message,
      file,
      line: 1,
      column: 1,
    };
  }
  // smol-toml counts columns in UTF-16 units; diagnostics count code points.
  const lineText = text.split(/\r?\n/)[err.line - 1] ?? '';
  const column = [...lineText.slice(0, Math.max(0, err.column - 1))].length + 1;
  const message = (err.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
  const duplicate = /redefine|already/.test(message);
  return {
    code: 'MANIFEST_SYNTAX',
    severity: 'error',
    path: '$',
    message,
    ...(duplicate ? { hint: 'each key and table may be defined only once' } : {}),
    file,
    line: err.line,
    column,
  };
}
