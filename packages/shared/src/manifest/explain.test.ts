// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CAPABILITIES,
  effectiveCapabilities,
  explainManifest,
  parseManifest,
  renderExplain,
  type Manifest,
} from './index.js';

const FIXTURES = new URL('../../test/fixtures/manifests/', import.meta.url);
const load = (text: string): Manifest => {
  const result = parseManifest(text, { source: 'x.ctp' });
  if (result.manifest === undefined) throw new Error(JSON.stringify(result.diagnostics));
  return result.manifest;
};
/** The reference manifest with real hashes and an https source, so that it is valid. */
const reference = load(
  readFileSync(new URL('php-aegis-wordpress.real-hashes.ctp', FIXTURES), 'utf8').replace(
    'github:hyperpolymath/php-aegis',
    'https://github.com/hyperpolymath/php-aegis/archive/refs/tags/v0.2.0.tar.gz',
  ),
);

describe('effectiveCapabilities', () => {
  it('is add alone when drop has ALL (the reference manifest)', () => {
    expect(effectiveCapabilities(reference)).toEqual([
      'CAP_CHOWN',
      'CAP_NET_BIND_SERVICE',
      'CAP_SETGID',
      'CAP_SETUID',
    ]);
  });

  it('starts from the runtime default set otherwise', () => {
    const m = load(
      '[package]\nname = "a"\nversion = "1"\n[security.capabilities]\ndrop = ["KILL", "setfcap"]\nadd = ["NET_RAW"]\n',
    );
    expect(effectiveCapabilities(m)).toEqual(
      [
        ...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_KILL' && c !== 'CAP_SETFCAP'),
        'CAP_NET_RAW',
      ].sort(),
    );
    expect(DEFAULT_CAPABILITIES).toHaveLength(11);
  });
});

describe('explainManifest', () => {
  const doc = explainManifest(reference);

  it('is plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('describes package, base and dependencies', () => {
    expect(doc.package).toEqual({
      name: 'php-aegis-wordpress',
      version: '0.2.0',
      architecture: 'amd64',
      description: expect.stringContaining('WordPress') as string,
    });
    expect(doc.base).toEqual({ image: 'cerro-torre/debian:bookworm-slim', kind: 'debian' });
    expect(doc.dependencies.suite).toBe('bookworm');
    expect(doc.dependencies.packages).toHaveLength(15);
    expect(doc.dependencies.external[0]).toMatchObject({
      name: 'wordpress',
      version: '6.4.2',
      source: 'https://wordpress.org/wordpress-6.4.2.tar.gz',
    });
  });

  it('numbers the steps, one line each, templates resolved', () => {
    expect(doc.steps.map((s) => `${s.number}. ${s.line}`)).toEqual([
      '1. mkdir /var/www/html (mode 0755)',
      '2. mkdir /var/www/html/wp-content/mu-plugins (mode 0755)',
      '3. fetch https://wordpress.org/wordpress-6.4.2.tar.gz → /tmp/wordpress.tar.gz',
      `4. verify-hash /tmp/wordpress.tar.gz ${reference.dependencies.external['wordpress']?.hash ?? ''}`,
      '5. extract /tmp/wordpress.tar.gz → /var/www/html',
      '6. composer-require hyperpolymath/php-aegis:^0.2 in /var/www/html',
      '7. copy rootfs:/var/www/html/vendor/hyperpolymath/php-aegis/docs/wordpress/aegis-mu-plugin.php → /var/www/html/wp-content/mu-plugins/aegis-mu-plugin.php',
      '8. chown -R www-data:www-data /var/www/html',
      '9. chmod -R 0755 /var/www/html/wp-content',
    ]);
  });

  it('marks environment values resolved at run time', () => {
    const env = Object.fromEntries(
      doc.runtime.environment.map((e) => [e.name, e.resolvedAtRunTime]),
    );
    expect(env['PHP_VERSION']).toBe(false);
    expect(env['WORDPRESS_DB_HOST']).toBe(true);
    expect(env['WORDPRESS_DB_PASSWORD']).toBe(true);
    expect(doc.runtime.environment.find((e) => e.name === 'WORDPRESS_DB_HOST')?.value).toBe(
      '${DB_HOST:-db:3306}',
    );
  });

  it('describes runtime, security, signing, logs and verification', () => {
    expect(doc.runtime).toMatchObject({
      command: ['/usr/sbin/php-fpm8.2', '--nodaemonize'],
      entrypoint: null,
      user: 'www-data',
      group: 'www-data',
      workdir: '/var/www/html',
      ports: [{ name: 'http', internal: 9000, external: 9000, protocol: 'tcp' }],
      stopSignal: null,
    });
    expect(doc.runtime.healthcheck?.retries).toBe(3);
    expect(doc.security.selinux).toEqual({
      type: 'container_web_t',
      level: 's0:c0,c1',
      customPolicy: { rules: 7, types: 0 },
    });
    expect(doc.security.capabilities).toMatchObject({
      base: 'none',
      effective: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'],
    });
    expect(doc.security.readonlyRoot.exceptions).toContain('/tmp');
    expect(doc.security.egress).toHaveLength(5);
    expect(doc.security.ingress).toEqual([
      { port: 9000, protocol: 'tcp', source: 'container:nginx' },
    ]);
    expect(doc.signing).toEqual({
      algorithm: 'ed25519',
      threshold: '2-of-3',
      keyholders: ['maintainer-1', 'maintainer-2', 'release-bot'],
    });
    expect(doc.transparency.agreement).toBe('2-of-2');
    expect(doc.transparency.logs.map((l) => l.name)).toEqual(['cerro-torre-log', 'sigstore-rekor']);
    expect(doc.verification.requiredSignatures.minimum).toBe(2);
    expect(doc.verification.transparencyLogs).toEqual({
      minimumLogs: 2,
      requireConsensus: true,
      quorum: 2,
    });
    expect(doc.verification.sbom.deniedLicenses).toEqual(['proprietary', 'unknown']);
    expect(doc.verification.vulnerabilities.maxSeverity).toBe('medium');
  });
});

describe('renderExplain', () => {
  const text = renderExplain(explainManifest(reference));

  it('prints every section', () => {
    for (const heading of [
      'Package php-aegis-wordpress 0.2.0 (amd64)',
      'Base cerro-torre/debian:bookworm-slim',
      'Steps (9)',
      'Runtime',
      'Security',
      'Signing ed25519, 2-of-3',
      'Transparency logs (2-of-2 must agree)',
      'Verification',
    ]) {
      expect(text).toContain(heading);
    }
    expect(text.endsWith('\n')).toBe(true);
  });

  it('prints steps, env markers and the security profile', () => {
    expect(text).toContain(
      '  3. fetch https://wordpress.org/wordpress-6.4.2.tar.gz → /tmp/wordpress.tar.gz\n',
    );
    expect(text).toMatch(/WORDPRESS_DB_HOST=\$\{DB_HOST:-db:3306\}\s+\(resolved at run time\)/);
    expect(text).not.toMatch(/PHP_VERSION=8\.2\s+\(resolved/);
    expect(text).toContain('container_web_t s0:c0,c1; custom policy present (7 rules)');
    expect(text).toContain('CAP_CHOWN, CAP_NET_BIND_SERVICE, CAP_SETGID, CAP_SETUID');
    expect(text).toContain(`php -r "echo 'healthy';"`);
  });

  it('renders a minimal manifest', () => {
    const minimal = renderExplain(
      explainManifest(load(readFileSync(new URL('valid-minimal.ctp', FIXTURES), 'utf8'))),
    );
    expect(minimal).toContain('Package minimal 0.1.0 (host architecture)');
    expect(minimal).toContain('Steps (0)');
    expect(minimal).toMatch(/capabilities\s+CAP_CHOWN, CAP_DAC_OVERRIDE/);
  });
});
