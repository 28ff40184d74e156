// SPDX-License-Identifier: Apache-2.0
import type { ManifestCode } from '../error-codes.js';
import { formatJsonPath } from '../json/index.js';
import type { Position, TomlLocations } from './locate.js';
import type { Segments } from './tree.js';

export type ManifestSeverity = 'error' | 'warning';

/** One problem found in a manifest: the record of 01 §1.3. */
export interface ManifestDiagnostic {
  readonly code: ManifestCode;
  readonly severity: ManifestSeverity;
  /** JSONPath-like, starting with `$` (`$.build.steps[3].hash`). */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
  /** The `source` name given to {@link parseManifest}. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in code points. */
  readonly column: number;
}

/** What a check reports; the collector adds the file and the position. */
export interface Report {
  readonly code: ManifestCode;
  readonly path: Segments;
  readonly message: string;
  readonly hint?: string;
  /** Defaults to "warning" for MANIFEST_UNSUPPORTED_FEATURE, else "error". */
  readonly severity?: ManifestSeverity;
  /** An exact position (e.g. inside a multi-line string); else the key of `path`. */
  readonly at?: Position;
  /** The field is absent: point at the enclosing table. */
  readonly missing?: boolean;
}

export type Reporter = (report: Report) => void;

interface Entry {
  readonly diagnostic: ManifestDiagnostic;
  readonly references: string[];
}

/**
 * Collects diagnostics, fills in positions, folds repeated template errors (01 §1.2) and sorts.
 */
export class DiagnosticCollector {
  private entries: Entry[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly locations: TomlLocations,
  ) {}

  readonly report: Reporter = (r) => {
    const path = formatJsonPath(r.path);
    const key = `${r.code}\u0000${path}\u0000${r.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const at = r.at ?? this.locations.positionFor(r.path, r.missing ?? false);
    const severity =
      r.severity ?? (r.code === 'MANIFEST_UNSUPPORTED_FEATURE' ? 'warning' : 'error');
    this.entries.push({
      diagnostic: {
        code: r.code,
        severity,
        path,
        message: r.message,
        ...(r.hint !== undefined ? { hint: r.hint } : {}),
        file: this.file,
        line: at.line,
        column: at.column,
      },
      references: [],
    });
  };

  /** Drops everything but template errors at values whose templates could not be resolved. */
  dropAt(paths: ReadonlySet<string>): void {
    this.entries = this.entries.filter(
      (e) => e.diagnostic.code === 'MANIFEST_TEMPLATE' || !paths.has(e.diagnostic.path),
    );
  }

  /**
   * A value that is wholly one template of a target with an error: its own errors go, and the target's
   * errors name it instead (01 §1.2). `refs` maps each such value's path to its target's path.
   */
  foldReferences(refs: ReadonlyMap<string, string>): void {
    for (const [from, target] of refs) {
      const targetErrors = this.entries.filter(
        (e) => e.diagnostic.path === target && e.diagnostic.severity === 'error',
      );
      if (targetErrors.length === 0) continue;
      this.entries = this.entries.filter(
        (e) => e.diagnostic.path !== from || e.diagnostic.severity !== 'error',
      );
      for (const e of targetErrors) e.references.push(from);
    }
  }

  hasErrors(): boolean {
    return this.entries.some((e) => e.diagnostic.severity === 'error');
  }

  /** Every diagnostic, sorted by line then column (stable). */
  diagnostics(): ManifestDiagnostic[] {
    return this.entries
      .map(({ diagnostic, references }) =>
        references.length === 0
          ? diagnostic
          : {
              ...diagnostic,
              message: `${diagnostic.message}; referenced by ${references.map(humanPath).join(', ')}`,
            },
      )
      .sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

/** `$.a.b` → `a.b`; `$["k"]` → `["k"]`; `$` stays. */
export function humanPath(path: string): string {
  if (path.startsWith('$.')) return path.slice(2);
  if (path.startsWith('$[')) return path.slice(1);
  return path;
}

/**
 * The one-line human form of 01 §1.3:
 * `file:line:col: severity CODE path: message (hint: …)`.
 */
export function formatDiagnostic(d: ManifestDiagnostic): string {
  const hint = d.hint === undefined ? '' : ` (hint: ${d.hint})`;
  return `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code} ${humanPath(d.path)}: ${d.message}${hint}`;
}
