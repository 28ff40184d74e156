// SPDX-License-Identifier: Apache-2.0
// The repository's examples built for real (network: the Debian mirror) on the shipped
// cerro-torre/debian:bookworm-slim base, then read by skopeo and umoci and run under runc.
// `pnpm test:slow`.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSbom } from '@verified-container/shared/attestation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDpkgStatus } from '../../src/debian/dpkg-database.js';
import {
  IS_ROOT,
  REPO_ROOT,
  Timings,
  debianMirrorReady,
  hostBuildDeps,
  sbomDebianRows,
  timedBuild,
  umociUnpack,
} from '../support.js';

interface BuildDocument {
  status: string;
  cached: boolean;
  image: { digest: string; layers: { kind: string }[] };
  sbom: { path: string; packages: number };
  error?: { code: string; message: string };
}

const ready = IS_ROOT && (await debianMirrorReady('runc', 'umoci', 'apt-get'));

describe.skipIf(!ready)('examples on cerro-torre/debian:bookworm-slim', () => {
  let dir: string;
  const timings = new Timings();
  const build = async (label: string, manifest: string, ...args: string[]) => {
    const result = await timedBuild<BuildDocument>(
      timings,
      label,
      hostBuildDeps(dir),
      manifest,
      ...args,
    );
    if (result.exitCode !== 0) console.error(label, result.stderr, result.stdout);
    return result;
  };
  const images = () => join(dir, 'store', 'images');

  /**
   * Runs `args` in the image `ref` under runc (umoci bundle, no terminal, read-only root, the
   * image's volumes not mounted so their image content shows); returns stdout.
   */
  const runInImage = (ref: string, args: readonly string[], user?: string) => {
    const bundle = mkdtempSync(join(dir, 'bundle-'));
    const id = `ct-examples-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    try {
      umociUnpack(images(), ref, join(bundle, 'b'));
      const configPath = join(bundle, 'b', 'config.json');
      const config = JSON.parse(readFileSync(configPath, 'utf8'));
      config.process.terminal = false;
      config.process.args = args;
      config.root.readonly = true;
      const system = ['/proc', '/dev', '/sys'];
      // Writable scratch where the runtime gives one (the manifests' read-only exceptions).
      const scratch = ['/tmp', '/run'].map((destination) => ({
        destination,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777'],
      }));
      config.mounts = [
        ...(config.mounts as { destination: string }[]).filter((m) =>
          system.some((d) => m.destination === d || m.destination.startsWith(`${d}/`)),
        ),
        ...scratch,
      ];
      if (user === 'root') config.process.user = { uid: 0, gid: 0 };
      writeFileSync(configPath, JSON.stringify(config));
      return execFileSync('runc', ['run', '--bundle', join(bundle, 'b'), id], {
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } finally {
      spawnSync('runc', ['delete', '--force', id]);
      rmSync(bundle, { recursive: true, force: true });
    }
  };
  /** `name version` of every package in an image's dpkg status, sorted. */
  const dpkgStatusRows = (ref: string) => {
    const out = mkdtempSync(join(dir, 'unpacked-'));
    try {
      umociUnpack(images(), ref, join(out, 'b'));
      return parseDpkgStatus(readFileSync(join(out, 'b/rootfs/var/lib/dpkg/status'), 'utf8'))
        .map((s) => {
          const field = (n: string) => s.fields.find((f) => f.name === n)?.value;
          return `${field('Package')} ${field('Version')}`;
        })
        .sort();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  /** Every locked .deb (the build's and its base's), `name version sha256`. */
  const lockedRows = (lockPath: string) => {
    type Row = { name: string; version: string; sha256: string };
    const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as {
      packages: Row[];
      base: { lock?: { packages: Row[] } };
    };
    const rows = new Map<string, Row>();
    for (const p of [...(lock.base.lock?.packages ?? []), ...lock.packages]) rows.set(p.name, p);
    return [...rows.values()].map((p) => `${p.name} ${p.version} ${p.sha256}`).sort();
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-examples-slow-'));
    for (const example of ['hello', 'php-aegis-wordpress']) {
      cpSync(join(REPO_ROOT, 'examples', example), join(dir, example), { recursive: true });
    }
  });

  afterAll(() => {
    timings.print('examples build');
    rmSync(dir, { recursive: true, force: true });
  });

  let hello = '';

  it('hello: builds (the base too, from manifests/base), twice with the same digest', async () => {
    const cold = await build('hello-cold', 'hello/hello.ctp');
    expect(cold.exitCode).toBe(0);
    expect(cold.doc!.image.layers.map((l) => l.kind)).toEqual(['base', 'base', 'packages']);
    hello = cold.doc!.image.digest;
    const again = await build('hello-no-cache', 'hello/hello.ctp', '--no-cache');
    expect(again.exitCode).toBe(0);
    expect(again.doc!.image.digest).toBe(hello);
    const warm = await build('hello-warm', 'hello/hello.ctp');
    expect(warm.doc!.cached).toBe(true);
    expect(warm.doc!.image.digest).toBe(hello);
  });

  it('hello: skopeo and umoci read it; it prints the greeting under runc', () => {
    const inspected = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci:${images()}:hello:1.0.0`], { encoding: 'utf8' }),
    ) as { Digest: string };
    expect(inspected.Digest).toBe(hello);
    expect(
      runInImage('hello:1.0.0', ['/bin/busybox', 'echo', 'hello from a verified container']),
    ).toBe('hello from a verified container\n');
  });

  it('hello: the SBOM is valid and lists exactly the dpkg status, with the .debs sha256s', () => {
    const sbom = JSON.parse(readFileSync(join(dir, 'dist/hello-1.0.0.spdx.json'), 'utf8'));
    expect(checkSbom(sbom, { subjectDigestHex: hello.slice(7) })).toEqual([]);
    const rows = sbomDebianRows(sbom);
    expect(rows).toEqual(lockedRows(join(dir, 'hello/hello.lock.json')));
    expect(rows.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(
      dpkgStatusRows('hello:1.0.0'),
    );
  });

  it.skipIf(process.env['VC_TEST_PHP'] === '0')(
    'php-aegis-wordpress: builds cold; php-fpm8.2 -t passes, PHP is 8.2, WordPress and the MU-plugin are there',
    async () => {
      const r = await build('php-cold', 'php-aegis-wordpress/php-aegis-wordpress.ctp');
      expect(r.exitCode).toBe(0);
      const ref = 'php-aegis-wordpress:0.2.0';
      expect(runInImage(ref, ['php', '-r', 'echo PHP_VERSION;'])).toMatch(/^8\.2\.\d+/);
      // php-fpm -t writes its verdict on stderr; a failure is a non-zero exit (execFileSync throws).
      runInImage(ref, ['/usr/sbin/php-fpm8.2', '-t']);
      // The image's own command, as its user, on the read-only root: php-fpm starts and serves.
      expect(
        runInImage(ref, ['/bin/sh', '-c', 'timeout 2 php-fpm8.2 --nodaemonize 2>&1; true']),
      ).toContain('fpm is running');
      const listing = runInImage(
        ref,
        [
          '/bin/sh',
          '-c',
          'stat -c "%U %a %n" /usr/share/wordpress/wp-login.php /usr/share/wordpress/wp-content/mu-plugins/aegis-mu-plugin.php; readlink /var/www/html; touch /usr/share/wordpress/wp-login.php 2>/dev/null && echo writable || echo read-only',
        ],
        'root',
      );
      expect(listing).toContain('root 644 /usr/share/wordpress/wp-login.php');
      expect(listing).toContain(
        'root 644 /usr/share/wordpress/wp-content/mu-plugins/aegis-mu-plugin.php',
      );
      expect(listing).toContain('/usr/share/wordpress\n');
      expect(listing).toContain('read-only');
      expect(existsSync(join(dir, 'dist/php-aegis-wordpress-0.2.0.spdx.json'))).toBe(true);
      const warm = await build('php-warm', 'php-aegis-wordpress/php-aegis-wordpress.ctp');
      expect(warm.exitCode).toBe(0);
      expect(warm.doc!.image.digest).toBe(r.doc!.image.digest);
    },
  );
});
