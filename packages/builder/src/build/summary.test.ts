// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { BuildResult } from './build-types.js';
import { buildResultDocument, displayPath, renderSummary, shortDigest } from './summary.js';

const D = `sha256:4c1f${'0'.repeat(56)}e9a0`;

const result: BuildResult = {
  status: 'unsigned',
  image: {
    name: 'php-aegis-wordpress',
    tags: ['0.2.0', 'latest'],
    digest: D,
    layers: [
      { kind: 'packages', digest: D, diffId: D, size: 104_000_000, cached: false },
      { kind: 'steps', digest: D, diffId: D, size: 200_000, cached: true },
    ],
  },
  package: '/w/dist/php-aegis-wordpress-0.2.0.ctp',
  bundle: '/w/dist/php-aegis-wordpress-0.2.0.bundle.json',
  sbom: { path: '/w/dist/php-aegis-wordpress-0.2.0.spdx.json', packages: 148 },
  provenance: '/w/dist/php-aegis-wordpress-0.2.0.provenance.json',
  lock: { path: '/w/php-aegis-wordpress.lock.json', written: true },
  signatures: { threshold: '2-of-3', keyholders: ['m1', 'm2', 'bot'], signedBy: [], met: false },
  transparency: { agreement: '2-of-2', entries: [], published: false },
  cached: false,
  durationMs: 1234,
  bundleDir: '/store/bundles/sha256-x',
};

describe('build summary (01 §9)', () => {
  it('abbreviates digests as the guide does', () => {
    expect(shortDigest(D)).toBe('sha256:4c1f…e9a0');
  });

  it('shows paths relative to the working directory when inside it', () => {
    expect(displayPath('/w/dist/x.ctp', '/w')).toBe('dist/x.ctp');
    expect(displayPath('/elsewhere/x.ctp', '/w')).toBe('/elsewhere/x.ctp');
  });

  it('renders the closing lines, with an honest unsigned line', () => {
    expect(renderSummary(result, '/w')).toBe(
      [
        '✓ OCI image: php-aegis-wordpress:0.2.0  sha256:4c1f…e9a0  (2 layers, 104.2 MB)',
        '  tags: php-aegis-wordpress:0.2.0, php-aegis-wordpress:latest',
        '✓ .ctp bundle with cryptographic provenance: dist/php-aegis-wordpress-0.2.0.ctp',
        '✓ SBOM in SPDX format: dist/php-aegis-wordpress-0.2.0.spdx.json (148 packages)',
        '✓ in-toto attestation: SLSA provenance v1 + file integrity: dist/php-aegis-wordpress-0.2.0.provenance.json',
        '! Unsigned: 2-of-3 keyholders required: m1, m2, bot; no key found (next: cerro-torre sign --key <key> dist/php-aegis-wordpress-0.2.0.ctp)',
        '– Transparency logs: not published (the bundle is unsigned)',
        '',
      ].join('\n'),
    );
  });

  it('names the signers, the missing keyholders and the next commands; the log ranges', () => {
    const pending = renderSummary(
      {
        ...result,
        status: 'pending-signatures',
        signatures: { ...result.signatures, signedBy: ['m1'] },
      },
      '/w',
    ).split('\n');
    expect(pending[5]).toBe(
      '! Threshold signatures (2-of-3 keyholders): 1 of 2 required: signed by m1; missing m2, bot (next: cerro-torre sign --key <key> dist/php-aegis-wordpress-0.2.0.ctp, then cerro-torre publish dist/php-aegis-wordpress-0.2.0.ctp)',
    );
    expect(pending[6]).toBe(
      '– Transparency logs: not published (the signing threshold is not met)',
    );
    const published = renderSummary(
      {
        ...result,
        status: 'published',
        signatures: { ...result.signatures, signedBy: ['m1', 'm2'], met: true },
        transparency: {
          agreement: '2-of-2',
          published: true,
          entries: [
            { logId: 'cerro-torre-log', logIndex: 40 },
            { logId: 'cerro-torre-log', logIndex: 42 },
            { logId: 'local-file-log', logIndex: 6 },
          ],
        },
      },
      '/w',
    ).split('\n');
    expect(pending[5]).toMatch(/^!/);
    expect(published[5]).toBe('✓ Threshold signatures (2-of-3 keyholders): m1, m2');
    expect(published[6]).toBe(
      '✓ Transparency logs (2-of-2): cerro-torre-log #40–#42, local-file-log #6',
    );
  });

  it('marks a build served from the cache', () => {
    expect(renderSummary({ ...result, cached: true }, '/w').split('\n')[0]).toMatch(/\[cached\]$/);
  });

  it('prints the --json document of 01 §9 with status unsigned', () => {
    expect(buildResultDocument(result, '/w')).toEqual({
      status: 'unsigned',
      image: {
        name: 'php-aegis-wordpress',
        tags: ['0.2.0', 'latest'],
        digest: D,
        layers: [
          { digest: D, diffId: D, size: 104_000_000, kind: 'packages', cached: false },
          { digest: D, diffId: D, size: 200_000, kind: 'steps', cached: true },
        ],
      },
      package: 'dist/php-aegis-wordpress-0.2.0.ctp',
      bundle: 'dist/php-aegis-wordpress-0.2.0.bundle.json',
      sbom: { path: 'dist/php-aegis-wordpress-0.2.0.spdx.json', packages: 148 },
      provenance: 'dist/php-aegis-wordpress-0.2.0.provenance.json',
      lock: { path: 'php-aegis-wordpress.lock.json', written: true },
      signatures: { threshold: '2-of-3', signedBy: [], met: false },
      transparency: { agreement: '2-of-2', entries: [], published: false },
      cached: false,
      durationMs: 1234,
    });
  });
});
