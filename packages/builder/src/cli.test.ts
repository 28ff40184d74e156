// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@verified-container/shared/manifest';
import { makeDeps, REFERENCE_MANIFEST, tempDir, text } from '../test/support.js';
import { ResultBox } from './cli/command-kit.js';
import { COMMAND_NAMES, createProgram, runCli } from './cli.js';
import { BUILDER_VERSION } from './version.js';

const run = (argv: string[], cwd: string, env: Record<string, string> = {}) =>
  runCli(argv, makeDeps(cwd, env));

describe('cerro-torre', () => {
  it('prints its version, plain and as JSON', async () => {
    using dir = tempDir();
    const plain = await run(['--version'], dir.path);
    expect(plain).toMatchObject({ exitCode: 0, stdout: `cerro-torre ${BUILDER_VERSION}\n` });
    const json = JSON.parse(text((await run(['--version', '--json'], dir.path)).stdout));
    expect(json).toMatchObject({
      name: 'cerro-torre',
      version: BUILDER_VERSION,
      bundleVersion: '0.1.0',
    });
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.version).toBe(BUILDER_VERSION);
  });

  it('shows help for the program and every command, exit 0', async () => {
    using dir = tempDir();
    for (const cmd of [
      [],
      ['validate'],
      ['explain'],
      ['init'],
      ['keygen'],
      ['canonicalize'],
      ['verify-proof'],
      ['convert-dockerfile'],
    ]) {
      const r = await run([...cmd, '--help'], dir.path);
      expect(r.exitCode).toBe(0);
      expect(text(r.stdout)).toMatch(/Usage: cerro-torre/);
    }
  });

  it('loads commands lazily under the names they declare', async () => {
    using dir = tempDir();
    const all = await createProgram(makeDeps(dir.path), new ResultBox());
    expect(all.commands.map((c) => c.name())).toEqual(COMMAND_NAMES);
    const one = await createProgram(makeDeps(dir.path), new ResultBox(), 'verify');
    expect(one.commands.map((c) => c.name())).toEqual(['verify']);
    for (const name of COMMAND_NAMES) {
      const r = await run([name, '--help'], dir.path);
      expect(r.exitCode).toBe(0);
      expect(text(r.stdout)).toContain(`Usage: cerro-torre ${name} `);
    }
  });

  it('rejects unknown commands and options with USAGE, exit 2', async () => {
    using dir = tempDir();
    const r1 = await run(['frobnicate'], dir.path);
    expect(r1.exitCode).toBe(2);
    expect(r1.stderr).toMatch(/^Error \[USAGE\]: /);
    const r2 = await run(['validate', '--bogus', 'x.ctp'], dir.path);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toMatch(/unknown option '--bogus'/);
    const r3 = await run(['validate', '--type', 'nonsense', '--input', 'x'], dir.path);
    expect(r3.exitCode).toBe(2);
  });
});

describe('cerro-torre validate', () => {
  it('reports exactly the acceptance errors of the reference manifest, exit 1', async () => {
    using dir = tempDir();
    const r = await run(['validate', REFERENCE_MANIFEST], dir.path);
    expect(r.exitCode).toBe(1);
    const lines = (r.stderr ?? '').trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.filter((l) => l.includes(': error '))).toHaveLength(3);
    expect(lines.filter((l) => l.includes(': warning '))).toHaveLength(2);
    expect(r.stderr).toContain(
      `${REFERENCE_MANIFEST}:61:91: error MANIFEST_HASH dependencies.external.wordpress.hash: `,
    );
    expect(r.stdout).toBeUndefined();
  });

  it('gives the list as JSON with --json', async () => {
    using dir = tempDir();
    const r = await run(['validate', '--json', REFERENCE_MANIFEST], dir.path);
    const doc = JSON.parse(text(r.stdout));
    expect(doc.valid).toBe(false);
    expect(doc.errorCode).toBe('MANIFEST_HASH');
    expect(doc.errors.map((e: { code: string; path: string }) => `${e.code} ${e.path}`)).toEqual([
      'MANIFEST_HASH $.dependencies.external.wordpress.hash',
      'MANIFEST_UNSUPPORTED $.dependencies.external.php-aegis.source',
      'MANIFEST_HASH $.dependencies.external.php-aegis.hash',
    ]);
    expect(doc.warnings).toHaveLength(2);
    expect(doc.errors[0]).toMatchObject({ severity: 'error', line: 61, column: 91 });
  });

  it('passes the examples', async () => {
    using dir = tempDir();
    for (const example of ['hello/hello.ctp', 'php-aegis-wordpress/php-aegis-wordpress.ctp']) {
      const path = new URL(`../../../examples/${example}`, import.meta.url).pathname;
      const r = await run(['validate', '--json', path], dir.path);
      expect(JSON.parse(text(r.stdout))).toMatchObject({ valid: true, errors: [] });
      expect(r.exitCode).toBe(0);
    }
  });

  it('fails with READ_FAILED, exit 2, for a missing file', async () => {
    using dir = tempDir();
    const r = await run(['validate', join(dir.path, 'nope.ctp')], dir.path);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /^Error \[READ_FAILED\]: cannot read manifest .*nope\.ctp: no such file/,
    );
    const j = await run(['validate', '--json', join(dir.path, 'nope.ctp')], dir.path);
    expect(JSON.parse(text(j.stdout)).error.code).toBe('READ_FAILED');
  });

  it('reports a manifest over 1 MiB as MANIFEST_TOO_LARGE without reading it all', async () => {
    using dir = tempDir();
    const big = join(dir.path, 'big.ctp');
    writeFileSync(big, `# ${'x'.repeat(3 * 1024 * 1024)}\n`);
    const r = await run(['validate', '--json', big], dir.path);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(text(r.stdout)).errorCode).toBe('MANIFEST_TOO_LARGE');
  });

  it('accepts --type manifest --input as the conformance form', async () => {
    using dir = tempDir();
    const r = await run(
      ['validate', '--type', 'manifest', '--input', REFERENCE_MANIFEST],
      dir.path,
    );
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(text(r.stdout)).valid).toBe(false);
  });
});

describe('cerro-torre explain', () => {
  it('explains the hello example', async () => {
    using dir = tempDir();
    const path = new URL('../../../examples/hello/hello.ctp', import.meta.url).pathname;
    const r = await run(['explain', path], dir.path);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/hello/);
    expect(r.stderr).toMatch(/busybox/);
    expect(r.stderr).toMatch(/2-of-3/);
    const j = await run(['explain', '--json', path], dir.path);
    expect(JSON.parse(text(j.stdout))).toMatchObject({ valid: true });
  });

  it('prints the diagnostics of an invalid manifest and exits 1', async () => {
    using dir = tempDir();
    const r = await run(['explain', REFERENCE_MANIFEST], dir.path);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/MANIFEST_HASH/);
  });
});

describe('cerro-torre init', () => {
  it('writes a manifest that passes validate, refuses to overwrite without --force', async () => {
    using dir = tempDir();
    const r = await run(['init', '--name', 'myapp', '--packages', 'busybox,curl'], dir.path);
    expect(r.exitCode).toBe(0);
    const file = text(r.stdout).trim();
    expect(file).toMatch(/\.ctp$/);
    const result = parseManifest(readFileSync(file), { source: file });
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([]);
    const again = await run(['init', '--name', 'myapp'], dir.path);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^Error \[FILE_EXISTS\]/);
    expect((await run(['init', '--name', 'myapp', '--force'], dir.path)).exitCode).toBe(0);
  });

  it('refuses values that would not validate, and writes nothing', async () => {
    using dir = tempDir();
    const r = await run(['init', 'x.ctp', '--name', 'Bad Name!'], dir.path);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/MANIFEST_VALUE/);
    expect(() => statSync(join(dir.path, 'x.ctp'))).toThrow();
  });
});

describe('cerro-torre keygen', () => {
  it('writes a 0600 private key and prints the trust-store entry', async () => {
    using dir = tempDir();
    const r = await run(['keygen', '--id', 'maintainer-1', '--no-passphrase'], dir.path);
    expect(r.exitCode).toBe(0);
    const entry = JSON.parse(text(r.stdout));
    expect(entry).toMatchObject({
      algorithm: 'ed25519',
      validFrom: '2026-11-25T10:00:00Z',
      metadata: { owner: 'maintainer-1' },
    });
    expect(entry.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const keyFile = join(dir.path, 'store', 'keys', 'maintainer-1.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.path, 'store', 'keys')).mode & 0o777).toBe(0o700);
    expect(readFileSync(keyFile, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(r.stderr).toContain(entry.id);
    const again = await run(['keygen', '--id', 'maintainer-1'], dir.path);
    expect(again.exitCode).toBe(1);
  });

  it('encrypts with a passphrase file and warns without one', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'pass'), 'secret words\n');
    const r = await run(
      ['keygen', '--id', 'k1', '--out', 'keys', '--passphrase-file', 'pass'],
      dir.path,
    );
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(dir.path, 'keys', 'k1.key'), 'utf8')).toContain(
      'ENCRYPTED PRIVATE KEY',
    );
    const plain = await run(['keygen', '--id', 'k2', '--out', 'keys'], dir.path);
    expect(plain.stderr).toMatch(/warning: no passphrase/);
    const env = await run(['keygen', '--id', 'k3', '--out', 'keys'], dir.path, {
      CT_KEY_PASSPHRASE: 'x',
    });
    expect(env.stderr).not.toMatch(/warning/);
    const missing = await run(['keygen', '--id', 'k4', '--passphrase-file', 'nope'], dir.path);
    expect(missing.exitCode).toBe(2);
    const badId = await run(['keygen', '--id', '../evil'], dir.path);
    expect(badId.exitCode).toBe(2);
  });
});

describe('cerro-torre canonicalize', () => {
  const rfc = new URL('../../shared/test/fixtures/rfc8785/', import.meta.url);

  it.each(['sample', 'sorting', 'appendix-e'])(
    'reproduces RFC 8785 %s byte for byte',
    async (name) => {
      using dir = tempDir();
      const r = await run(
        ['canonicalize', '--input', new URL(`${name}.json`, rfc).pathname],
        dir.path,
      );
      expect(r.exitCode).toBe(0);
      expect(
        Buffer.from(r.stdout as Uint8Array).equals(readFileSync(new URL(`${name}.canonical`, rfc))),
      ).toBe(true);
    },
  );

  it('keeps the last duplicate with a warning, writes --output atomically', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'dup.json'), '{"key":"first","key":"second"}');
    const r = await run(['canonicalize', '--input', 'dup.json', '--output', 'out.json'], dir.path);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('warning: duplicate key "key" at $.key (last value kept)\n');
    expect(readFileSync(join(dir.path, 'out.json'), 'utf8')).toBe('{"key":"second"}');
    expect(JSON.parse(text(r.stdout))).toEqual({
      canonicalized: true,
      digest: 'sha256:' + createHash('sha256').update('{"key":"second"}').digest('hex'),
      path: 'out.json',
    });
  });

  it('exits 1 for input that is not JSON and 2 for a missing file', async () => {
    using dir = tempDir();
    for (const bad of ['{"a":', '["\\ud800"]', '[1e999]', '\ufeff{}']) {
      writeFileSync(join(dir.path, 'bad.json'), bad);
      const r = await run(['canonicalize', '--input', 'bad.json'], dir.path);
      expect(r.exitCode).toBe(1);
      expect(JSON.parse(text(r.stdout)).canonicalized).toBe(false);
    }
    expect((await run(['canonicalize', '--input', 'missing.json'], dir.path)).exitCode).toBe(2);
  });
});

describe('nameFromDirectory', () => {
  it('makes valid OCI names from directory names', async () => {
    const { nameFromDirectory } = await import('./commands/init.js');
    expect(nameFromDirectory('/x/My App')).toBe('my-app');
    expect(nameFromDirectory('/x/a..b')).toBe('a-b');
    expect(nameFromDirectory('/x/a._b')).toBe('a-b');
    expect(nameFromDirectory('/x/a__b')).toBe('a__b');
    expect(nameFromDirectory('/x/---')).toBe('app');
  });
});
