// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, parseManifest, type ManifestDiagnostic } from './index.js';

const FIXTURES = new URL('../../test/fixtures/manifests/', import.meta.url);
const readBytes = (name: string): Uint8Array => readFileSync(new URL(name, FIXTURES));
const readText = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

const summary = (d: ManifestDiagnostic) => ({ code: d.code, severity: d.severity, path: d.path });

describe('acceptance fixture php-aegis-wordpress.ctp (01 §1.3)', () => {
  const result = parseManifest(readBytes('php-aegis-wordpress.ctp'), {
    source: 'php-aegis-wordpress.ctp',
  });

  it('reports exactly three errors and two warnings', () => {
    expect(result.ok).toBe(false);
    expect(result.manifest).toBeUndefined();
    expect(result.diagnostics.map(summary)).toEqual([
      { code: 'MANIFEST_HASH', severity: 'error', path: '$.dependencies.external.wordpress.hash' },
      {
        code: 'MANIFEST_UNSUPPORTED',
        severity: 'error',
        path: '$.dependencies.external.php-aegis.source',
      },
      { code: 'MANIFEST_HASH', severity: 'error', path: '$.dependencies.external.php-aegis.hash' },
      {
        code: 'MANIFEST_UNSUPPORTED_FEATURE',
        severity: 'warning',
        path: '$.attestations.transparency.logs[1].url',
      },
      {
        code: 'MANIFEST_UNSUPPORTED_FEATURE',
        severity: 'warning',
        path: '$.export.ostree.enabled',
      },
    ]);
  });

  it('points at the keys', () => {
    expect(result.diagnostics.map((d) => [d.line, d.column])).toEqual([
      [61, 91],
      [62, 34],
      [62, 77],
      [222, 32],
      [237, 1],
    ]);
    for (const d of result.diagnostics) expect(d.file).toBe('php-aegis-wordpress.ctp');
  });

  it('reports the wordpress hash once, naming the verify-hash step that uses it', () => {
    const [hash] = result.diagnostics;
    expect(hash?.message.startsWith('placeholder hash "sha256:..."')).toBe(true);
    expect(hash?.message).toContain('build.steps[3].hash');
    expect(hash?.hint).toBe('put the real digest, e.g. from `sha256sum wordpress-6.4.2.tar.gz`');
    expect(result.diagnostics.some((d) => d.path.startsWith('$.build'))).toBe(false);
  });

  it('formats the human line of 01 §1.3', () => {
    const [hash] = result.diagnostics;
    expect(formatDiagnostic(hash!)).toMatch(
      /^php-aegis-wordpress\.ctp:61:91: error MANIFEST_HASH dependencies\.external\.wordpress\.hash: placeholder hash "sha256:\.\.\."/,
    );
    expect(formatDiagnostic(hash!)).toMatch(
      / \(hint: put the real digest, e\.g\. from `sha256sum wordpress-6\.4\.2\.tar\.gz`\)$/,
    );
    const github = result.diagnostics[1]!;
    expect(github.hint).toBe('use the https URL of a release archive');
    expect(result.diagnostics[4]?.hint).toBe('set enabled = false');
  });
});

describe('formatDiagnostic', () => {
  const d: ManifestDiagnostic = {
    code: 'MANIFEST_HASH',
    severity: 'error',
    path: '$.dependencies.external.wordpress.hash',
    message: 'placeholder hash "sha256:..."',
    hint: 'put the real digest, e.g. from `sha256sum wordpress-6.4.2.tar.gz`',
    file: 'php-aegis-wordpress.ctp',
    line: 61,
    column: 91,
  };

  it('renders the spec example exactly', () => {
    expect(formatDiagnostic(d)).toBe(
      'php-aegis-wordpress.ctp:61:91: error MANIFEST_HASH dependencies.external.wordpress.hash: placeholder hash "sha256:..." (hint: put the real digest, e.g. from `sha256sum wordpress-6.4.2.tar.gz`)',
    );
  });

  it('omits the hint part when there is none and keeps bracketed keys', () => {
    expect(
      formatDiagnostic({ ...d, hint: undefined, severity: 'warning', path: '$["odd key"].x' }),
    ).toBe(
      'php-aegis-wordpress.ctp:61:91: warning MANIFEST_HASH ["odd key"].x: placeholder hash "sha256:..."',
    );
  });
});

describe('valid fixtures', () => {
  it('real hashes leave only the github: error and the two warnings', () => {
    const result = parseManifest(readText('php-aegis-wordpress.real-hashes.ctp'), {
      source: 'x.ctp',
    });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual([
      'MANIFEST_UNSUPPORTED',
      'MANIFEST_UNSUPPORTED_FEATURE',
      'MANIFEST_UNSUPPORTED_FEATURE',
    ]);
  });

  it('accepts the reference manifest once the github: source is an https archive', () => {
    const text = readText('php-aegis-wordpress.real-hashes.ctp').replace(
      'github:hyperpolymath/php-aegis',
      'https://github.com/hyperpolymath/php-aegis/archive/refs/tags/v0.2.0.tar.gz',
    );
    const result = parseManifest(text, { source: 'x.ctp' });
    expect(result.ok).toBe(true);
    expect(result.diagnostics.every((d) => d.severity === 'warning')).toBe(true);
    expect(result.manifest).toBeDefined();
  });

  it('accepts valid-minimal.ctp and applies every default', () => {
    const result = parseManifest(readText('valid-minimal.ctp'), { source: 'valid-minimal.ctp' });
    expect(result).toMatchObject({ ok: true, diagnostics: [] });
    const m = result.manifest!;
    expect(m.package).toEqual({ name: 'minimal', version: '0.1.0' });
    expect(m.base).toEqual({ image: 'scratch', form: { kind: 'scratch' } });
    expect(m.runtime.workdir).toBe('/');
    expect(m.dependencies).toMatchObject({
      packages: [],
      components: ['main'],
      install: 'configure',
      external: {},
    });
    expect(m.build).toEqual({ steps: [], context: '.' });
    expect(m.provenance).toMatchObject({
      buildSystem: 'cerro-torre',
      sourceHash: '',
      attestationFormat: 'in-toto',
    });
    expect(m.export.oci.enabled).toBe(true);
    expect(m.export.ostree.enabled).toBe(false);
    expect(m.attestations.sbom).toEqual({ format: 'spdx-2.3', generator: 'cerro-torre-sbom' });
    expect(m.attestations.provenance.predicates).toEqual([
      'materials',
      'builder',
      'recipe',
      'metadata',
    ]);
    expect(m.verification.transparencyLogs).toEqual({ requireConsensus: false, minimumLogs: 2 });
    expect(m.verification.sbomRequirements.requireSbom).toBe(true);
    expect(m.verification.vulnerabilityScanning.maxSeverity).toBe('high');
    expect(m.security.capabilities).toEqual({ drop: [], add: [] });
  });

  it('accepts hello.ctp', () => {
    const result = parseManifest(readBytes('hello.ctp'), { source: 'hello.ctp' });
    expect(result).toMatchObject({ ok: true, diagnostics: [] });
    const m = result.manifest!;
    expect(m.base.form).toEqual({ kind: 'debian', suite: 'bookworm', slim: true });
    expect(m.attestations.signing.threshold).toEqual({ k: 2, n: 3, text: '2-of-3' });
    expect(m.attestations.transparency.thresholdAgreement).toEqual({ k: 2, n: 2, text: '2-of-2' });
    expect(m.verification.requiredSignatures).toEqual({
      minimum: 2,
      allowedKeyholders: ['maintainer-1', 'maintainer-2', 'release-bot'],
    });
  });
});

describe('normalisation', () => {
  const text = readText('php-aegis-wordpress.real-hashes.ctp')
    .replace('github:hyperpolymath/php-aegis', 'https://example.org/php-aegis-0.2.0.tar.gz')
    .replace('sha256:6a1b9d', 'SHA256:6A1B9D')
    .replace('categories = ["c0", "c1"]', 'categories = ["c10", "c2"]')
    .replace('add = ["CHOWN"', 'add = ["cap_chown"');
  const m = parseManifest(text, { source: 'x.ctp' }).manifest!;

  it('maps names and values once', () => {
    expect(m.package.architecture).toBe('amd64');
    expect(m.dependencies.external['wordpress']?.hash).toMatch(/^sha256:6a1b9d[0-9a-f]{58}$/);
    expect(m.dependencies.external['wordpress']?.license).toBe('NOASSERTION');
    expect(m.security.capabilities.add).toEqual([
      'CAP_CHOWN',
      'CAP_SETGID',
      'CAP_SETUID',
      'CAP_NET_BIND_SERVICE',
    ]);
    expect(m.security.selinux.categories).toEqual(['c2', 'c10']);
    expect(m.security.selinux.level).toBe('s0:c2,c10');
    expect(m.security.readonlyRoot.enabled).toBe(true);
    expect(m.security.network.egressAllow[4]).toEqual({
      kind: 'pattern',
      value: '*.indieweb.org',
      port: 443,
      protocol: 'https',
    });
    expect(m.runtime.healthcheck).toEqual({
      command: ['php', '-r', "echo 'healthy';"],
      interval: '30s',
      timeout: '3s',
      startPeriod: '0s',
      retries: 3,
    });
    expect(m.runtime.ports['http']).toEqual({ internal: 9000, external: 9000, protocol: 'tcp' });
    expect(m.verification.requiredSignatures.minimum).toBe(2);
  });

  it('resolves templates and fills step defaults', () => {
    expect(m.build.steps[2]).toEqual({
      action: 'fetch',
      url: 'https://wordpress.org/wordpress-6.4.2.tar.gz',
      dest: '/tmp/wordpress.tar.gz',
      mode: '0644',
    });
    expect(m.build.steps[3]).toMatchObject({
      action: 'verify-hash',
      hash: m.dependencies.external['wordpress']?.hash,
    });
    expect(m.build.steps[5]).toMatchObject({
      action: 'composer-require',
      dir: '/var/www/html',
      packagist: true,
      repositories: [],
    });
    expect(m.build.steps[6]).toMatchObject({ action: 'copy', from: 'rootfs' });
    expect(m.build.steps[8]).toMatchObject({
      action: 'chmod',
      mode: '0755',
      fileMode: '0755',
      recursive: true,
    });
  });

  it('defaults composer dir to runtime.workdir and allowed keyholders to the signing keyholders', () => {
    const r = parseManifest(
      `[package]\nname = "c"\nversion = "1"\n[runtime]\nworkdir = "/app"\n[build]\nsteps = [{ action = "composer-require", package = "a/b" }]\n[attestations.signing]\nthreshold = "1-of-1"\nkeyholders = ["k"]\n`,
      { source: 'c.ctp' },
    );
    expect(r.manifest?.build.steps[0]).toMatchObject({ dir: '/app' });
    expect(r.manifest?.verification.requiredSignatures.allowedKeyholders).toEqual(['k']);
  });
});

describe('robustness', () => {
  const reference = readText('php-aegis-wordpress.ctp');

  it('never throws on any prefix of the reference manifest', () => {
    for (let cut = 0; cut <= reference.length; cut += 11) {
      const result = parseManifest(reference.slice(0, cut), { source: 'cut.ctp' });
      expect(Array.isArray(result.diagnostics)).toBe(true);
    }
  });

  it('sorts diagnostics by line then column', () => {
    const result = parseManifest(
      '[runtime]\nworkdir = "rel"\ncommand = "x"\n[package]\nversion = "bad tag"\nname = "Bad"\n',
      { source: 's.ctp' },
    );
    const positions = result.diagnostics.map((d) => [d.line, d.column] as const);
    const sorted = [...positions].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(positions).toEqual(sorted);
    expect(result.diagnostics.map((d) => d.path)).toEqual([
      '$.runtime.workdir',
      '$.runtime.command',
      '$.package.version',
      '$.package.name',
    ]);
  });

  it('parses the reference manifest in well under 10 ms', () => {
    const bytes = readBytes('php-aegis-wordpress.ctp');
    for (let i = 0; i < 20; i++) parseManifest(bytes, { source: 'x' });
    const runs = 50;
    const start = performance.now();
    for (let i = 0; i < runs; i++) parseManifest(bytes, { source: 'x' });
    expect((performance.now() - start) / runs).toBeLessThan(10);
  });
});
