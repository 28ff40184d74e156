// SPDX-License-Identifier: Apache-2.0
// The repository's examples built for real (network: the Debian mirror) on the shipped
// cerro-torre/debian:bookworm-slim base, signed by three keyholder keys and published to the
// manifests' two logs (a real `log serve` on loopback and a `file:` log), then read by skopeo and
// umoci and run under runc; php-aegis-wordpress goes through the guide's Step 2 and Step 3.
// `pnpm test:slow`.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { checkSbom } from '@verified-container/shared/attestation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
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
import { hasBuiltCli, killHard, serveLog, type ServedLog } from '../tlog-server.js';

/** vordr's binary (the runtime app; run, never imported). */
const VORDR_BIN = join(REPO_ROOT, 'packages/runtime/dist/bin.js');
const hasVordr = existsSync(VORDR_BIN) && spawnSync('conmon', ['--version']).status === 0;

interface BuildDocument {
  status: string;
  cached: boolean;
  image: { digest: string; layers: { kind: string }[] };
  sbom: { path: string; packages: number };
  error?: { code: string; message: string };
}

const ready = IS_ROOT && hasBuiltCli && (await debianMirrorReady('runc', 'umoci', 'apt-get'));

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

  let served: ServedLog | undefined;
  /** Runs the CLI in `dir` (people-facing text on stderr); fails the test on an unexpected exit. */
  const ct = async (expectedExit: number, ...argv: string[]) => {
    const r = await runCli(argv, hostBuildDeps(dir));
    const out = typeof r.stdout === 'string' ? r.stdout : Buffer.from(r.stdout ?? '').toString();
    const err = typeof r.stderr === 'string' ? r.stderr : Buffer.from(r.stderr ?? '').toString();
    expect(r.exitCode, `${argv.join(' ')}\n${err}${out}`).toBe(expectedExit);
    return { out, err };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-examples-slow-'));
    // The manifests' logs: cerro-torre-log served on a free loopback port (the copies name it),
    // local-file-log one file: log both manifests reach at logs/local-file-log.
    const servedDir = join(dir, 'store/logs/cerro-torre-log');
    await ct(
      0,
      'log',
      'init',
      '--dir',
      servedDir,
      '--origin',
      'cerro-torre-log',
      '--no-passphrase',
    );
    const fileLog = join(dir, 'hello/logs/local-file-log');
    for (const example of ['hello', 'php-aegis-wordpress']) {
      // Not the logs a demo run may have left next to the repository's manifests.
      const source = join(REPO_ROOT, 'examples', example);
      cpSync(source, join(dir, example), {
        recursive: true,
        filter: (path) => path !== join(source, 'logs'),
      });
    }
    await ct(0, 'log', 'init', '--dir', fileLog, '--origin', 'local-file-log', '--no-passphrase');
    symlinkSync(join(dir, 'hello/logs'), join(dir, 'php-aegis-wordpress/logs'));
    served = await serveLog(servedDir);
    for (const example of ['hello/hello.ctp', 'php-aegis-wordpress/php-aegis-wordpress.ctp']) {
      const path = join(dir, example);
      writeFileSync(path, readFileSync(path, 'utf8').replace('http://127.0.0.1:8470', served.url));
    }
    // Three keyholder keys (threshold 2-of-3) and the development trust store naming both logs.
    for (const id of ['maintainer-1', 'maintainer-2', 'release-bot']) {
      await ct(0, 'keygen', '--id', id, '--no-passphrase');
    }
    await ct(0, 'trust', 'init', '--manifest', join(dir, 'hello/hello.ctp'), '--dev');
  });

  afterAll(async () => {
    timings.print('examples build');
    if (served !== undefined) await killHard(served);
    rmSync(dir, { recursive: true, force: true });
  });

  let hello = '';

  it('hello: builds (the base too, from manifests/base), twice with the same digest', async () => {
    const cold = await build('hello-cold', 'hello/hello.ctp');
    expect(cold.exitCode).toBe(0);
    expect(cold.doc!.image.layers.map((l) => l.kind)).toEqual(['base', 'base', 'packages']);
    expect(cold.doc!.status).toBe('published');
    hello = cold.doc!.image.digest;
    const again = await build('hello-no-cache', 'hello/hello.ctp', '--no-cache');
    expect(again.exitCode).toBe(0);
    expect(again.doc!.image.digest).toBe(hello);
    const warm = await build('hello-warm', 'hello/hello.ctp');
    expect(warm.doc!.cached).toBe(true);
    expect(warm.doc!.image.digest).toBe(hello);
  });

  it('hello: verify (with --rebuild) → ALLOW; check-transparency passes', async () => {
    const verified = await timings.time('hello-verify-rebuild', () =>
      ct(0, 'verify', 'hello:1.0.0', '--rebuild'),
    );
    expect(verified.err).toContain('✓ Build reproducible (rebuilt sha256:');
    expect(verified.err.trimEnd().split('\n').at(-1)).toBe('ALLOW');
    await ct(0, 'check-transparency', 'hello:1.0.0');
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
      // Step 2's list: image, .ctp, SBOM, in-toto attestation, 2-of-3 threshold signatures.
      expect(r.doc!.status).toBe('published');
      const step2 = typeof r.stderr === 'string' ? r.stderr : '';
      for (const line of [
        '✓ OCI image: php-aegis-wordpress:0.2.0',
        '✓ .ctp bundle with cryptographic provenance',
        '✓ SBOM in SPDX format',
        '✓ in-toto attestation',
        '✓ Threshold signatures (2-of-3 keyholders)',
        '✓ Transparency logs (2-of-2): cerro-torre-log',
      ]) {
        expect(step2).toContain(line);
      }
    },
  );

  it.skipIf(process.env['VC_TEST_PHP'] === '0')(
    "php-aegis-wordpress: the guide's Step 3: verify (every check ✓ and ALLOW), sbom, check-transparency",
    async () => {
      const ref = 'php-aegis-wordpress:0.2.0';
      // An offline vulnerability database (debsecan format) with a finding for a package the image
      // does not have, so the gate runs and passes.
      const db = join(dir, 'bookworm.vulndb');
      writeFileSync(
        db,
        deflateSync(
          'VERSION 1\nCVE-2099-0001,,a package this image lacks\n\nnot-in-image,0,BH F,1.0-1,\n\nnot-in-image,not-in-image\n',
        ),
      );
      const verified = await timings.time('php-verify-rebuild', () =>
        ct(0, 'verify', ref, '--vuln-db', db, '--rebuild'),
      );
      const lines = verified.err.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^Verifying php-aegis-wordpress:0\.2\.0 \(sha256:[0-9a-f]{4}…[0-9a-f]{4}\)/,
      );
      for (const check of [
        'Attestations bound to the image',
        'Threshold signatures (2-of-3): maintainer-1, maintainer-2, release-bot',
        'Transparency log consensus (2-of-2): cerro-torre-log, local-file-log',
        'SBOM present and valid (SPDX 2.3,',
        'Licences allowed by policy',
        'No high/critical vulnerabilities',
        'All dependencies have provenance',
        'Build reproducible (rebuilt sha256:',
      ]) {
        expect(lines.find((l) => l.includes(check)) ?? check).toMatch(/^✓ /);
      }
      expect(lines.filter((l) => !l.startsWith('✓ ')).slice(1)).toEqual(['ALLOW']);
      const sbom = JSON.parse((await ct(0, 'sbom', ref)).out) as { spdxVersion: string };
      expect(sbom.spdxVersion).toBe('SPDX-2.3');
      const transparency = await ct(0, 'check-transparency', ref);
      expect(transparency.err).toMatch(/✓ cerro-torre-log: 3 attestations included/);
      expect(transparency.err).toMatch(/✓ local-file-log: 3 attestations included/);
      expect(transparency.err).toContain('✓ Transparency log consensus (2-of-2)');
    },
  );

  it.skipIf(process.env['VC_TEST_PHP'] === '0' || !hasVordr)(
    'php-aegis-wordpress under vordr: verified, php-fpm confined as signed; ps, logs, stop, rm',
    async () => {
      // vordr is another app: run as its binary, never imported (00 §3).
      const vordr = (...args: string[]) =>
        spawnSync(process.execPath, [VORDR_BIN, '--root', join(dir, 'store'), ...args], {
          encoding: 'utf8',
          timeout: 120_000,
          env: { ...process.env, VC_ROOT: join(dir, 'store') },
        });
      const name = `php-aegis-wp-${process.pid}`;
      const network = `web-${process.pid}`;
      // The guide's single-container deployment, with a free host port instead of 9000 and
      // names unique to this run.
      const started = vordr(
        'run',
        '-d',
        '--name',
        name,
        '--image',
        'php-aegis-wordpress:0.2.0',
        '--port',
        '9000',
        '--env',
        'DB_HOST=db:3306',
        '--env',
        'DB_NAME=wordpress',
        '--network',
        network,
        '--selinux-context',
        'container_web_t',
      );
      expect(started.status, started.stderr).toBe(0);
      try {
        expect(started.stderr).toContain('✓ Container signature valid (2-of-3');
        expect(started.stderr).toContain(
          '✓ Capabilities set correctly (CHOWN, NET_BIND_SERVICE, SETGID, SETUID)',
        );
        expect(vordr('ps').stdout).toContain(name);
        // php-fpm says when it is ready; wait for that line (bounded), not for a fixed time.
        const deadline = Date.now() + 60_000;
        let logs = '';
        while (!logs.includes('ready to handle connections') && Date.now() < deadline) {
          logs = vordr('logs', name).stderr;
          if (!logs.includes('ready to handle connections')) {
            await new Promise((done) => setTimeout(done, 200));
          }
        }
        expect(logs).toContain('ready to handle connections');
        const status = vordr('exec', name, 'cat', '/proc/1/status').stdout;
        // CHOWN (0), SETGID (6), SETUID (7), NET_BIND_SERVICE (10).
        expect(status).toMatch(/^CapEff:\s+00000000000004c1$/m);
        expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
        expect(status).toMatch(/^Seccomp:\s+2$/m);
        const writes = vordr(
          'exec',
          name,
          'sh',
          '-c',
          'for p in / /tmp /var/ratelimit /var/www/html/wp-content/uploads /var/www/html/wp-content/cache; do touch "$p/.w" 2>/dev/null && echo "$p writable" || echo "$p read-only"; done',
        ).stdout;
        expect(writes).toBe(
          [
            '/ read-only',
            '/tmp writable',
            '/var/ratelimit writable',
            '/var/www/html/wp-content/uploads writable',
            '/var/www/html/wp-content/cache writable',
            '',
          ].join('\n'),
        );
        // php-fpm answers on the published port from the host.
        const [container] = JSON.parse(vordr('ps', '--format', 'json').stdout) as {
          name: string;
          ports: { hostPort: number }[];
        }[];
        const hostPort = container!.ports[0]!.hostPort;
        await new Promise<void>((done, fail) => {
          const socket = connect(hostPort, '127.0.0.1', () => {
            socket.destroy();
            done();
          });
          socket.on('error', fail);
        });
        const check = vordr('check', name);
        expect(check.status, check.stdout).toBe(0);
        expect(vordr('stop', name).status).toBe(0);
      } finally {
        vordr('rm', '-f', '-v', name);
        vordr('network', 'rm', network);
      }
      expect(vordr('ps', '-a', '-q').stdout).toBe('');
    },
  );
});
