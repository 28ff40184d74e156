// SPDX-License-Identifier: Apache-2.0
// What `cerro-torre build` tells people and scripts at the end (01 §9).
import { isAbsolute, relative } from 'node:path';
import type { BuildResult } from './build-types.js';
import { formatBytes } from './progress.js';

import { shortDigest } from '@verified-container/host';

export { shortDigest };

/** A path as people typed it: relative to `cwd` when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * The closing summary on stderr (01 §9): ✓ lines for the image, the package, the SBOM and the
 * provenance; the threshold line (✓ met, ! pending with the next command, ! unsigned) and the
 * transparency line (log ranges, or why nothing was published). Pure.
 */
export function renderSummary(result: BuildResult, cwd: string): string {
  const p = (path: string) => displayPath(path, cwd);
  const { image } = result;
  const size = image.layers.reduce((n, l) => n + l.size, 0);
  const layerCount = `${image.layers.length} layer${image.layers.length === 1 ? '' : 's'}`;
  const lines = [
    `✓ OCI image: ${image.name}:${image.tags[0] ?? ''}  ${shortDigest(image.digest)}  (${layerCount}, ${formatBytes(size)})${result.cached ? '  [cached]' : ''}`,
    `✓ .ctp bundle with cryptographic provenance: ${p(result.package)}`,
    `✓ SBOM in SPDX format: ${p(result.sbom.path)} (${result.sbom.packages} package${result.sbom.packages === 1 ? '' : 's'})`,
    `✓ in-toto attestation: SLSA provenance v1 + file integrity: ${p(result.provenance)}`,
    signatureLine(result, p),
    transparencyLine(result),
  ];
  if (image.tags.length > 1) {
    lines.splice(1, 0, `  tags: ${image.tags.map((t) => `${image.name}:${t}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

function signatureLine(result: BuildResult, p: (path: string) => string): string {
  const { signatures } = result;
  const pkg = p(result.package);
  const rule =
    signatures.threshold === null ? 'trust-store groups' : `${signatures.threshold} keyholders`;
  if (result.status === 'unsigned') {
    const who =
      signatures.threshold === null
        ? 'no keyholders are named in [attestations.signing]'
        : `${signatures.threshold} keyholders required: ${signatures.keyholders.join(', ')}`;
    return `! Unsigned: ${who}; no key found (next: cerro-torre sign --key <key> ${pkg})`;
  }
  if (signatures.met || result.status === 'signed') {
    return `✓ Threshold signatures (${rule}): ${signatures.signedBy.join(', ')}`;
  }
  const k = /^(\d+)-of-/.exec(signatures.threshold ?? '')?.[1] ?? '?';
  const missing = signatures.keyholders.filter((h) => !signatures.signedBy.includes(h));
  return (
    `! Threshold signatures (${rule}): ${signatures.signedBy.length} of ${k} required: ` +
    `signed by ${signatures.signedBy.join(', ') || 'nobody'}; missing ${missing.join(', ') || '-'} ` +
    `(next: cerro-torre sign --key <key> ${pkg}, then cerro-torre publish ${pkg})`
  );
}

/** `cerro-torre-log #40–#42, local-file-log #6–#8`. */
function logRanges(entries: BuildResult['transparency']['entries']): string {
  const byLog = new Map<string, number[]>();
  for (const e of entries) byLog.set(e.logId, [...(byLog.get(e.logId) ?? []), e.logIndex]);
  return [...byLog]
    .map(([log, indexes]) => {
      const lo = Math.min(...indexes);
      const hi = Math.max(...indexes);
      return `${log} #${lo}${hi === lo ? '' : `–#${hi}`}`;
    })
    .join(', ');
}

function transparencyLine(result: BuildResult): string {
  if (result.transparency.published) {
    return `✓ Transparency logs (${result.transparency.agreement ?? ''}): ${logRanges(result.transparency.entries)}`;
  }
  const why =
    result.status === 'unsigned'
      ? 'the bundle is unsigned'
      : result.status === 'pending-signatures'
        ? 'the signing threshold is not met'
        : 'no logs configured, no trust store, or --no-publish';
  return `– Transparency logs: not published (${why})`;
}

/** The `--json` document of 01 §9 (paths as given relative to `cwd`). Pure. */
export function buildResultDocument(result: BuildResult, cwd: string): Record<string, unknown> {
  const p = (path: string) => displayPath(path, cwd);
  return {
    status: result.status,
    image: {
      name: result.image.name,
      tags: [...result.image.tags],
      digest: result.image.digest,
      layers: result.image.layers.map((l) => ({
        digest: l.digest,
        diffId: l.diffId,
        size: l.size,
        kind: l.kind,
        cached: l.cached,
      })),
    },
    package: p(result.package),
    bundle: p(result.bundle),
    sbom: { path: p(result.sbom.path), packages: result.sbom.packages },
    provenance: p(result.provenance),
    lock: { path: p(result.lock.path), written: result.lock.written },
    signatures: {
      threshold: result.signatures.threshold,
      signedBy: [...result.signatures.signedBy],
      met: result.signatures.met,
    },
    transparency: {
      agreement: result.transparency.agreement,
      entries: result.transparency.entries.map((e) => ({ logId: e.logId, logIndex: e.logIndex })),
      published: result.transparency.published,
    },
    cached: result.cached,
    durationMs: result.durationMs,
  };
}
