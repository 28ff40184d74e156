// SPDX-License-Identifier: Apache-2.0
// Runs the built binary (dist/bin.js) as users and scripts do: exit codes, stdout/stderr split.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_MANIFEST, tempDir } from '../support.js';

const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;

function ct(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', VC_ROOT: `${cwd}/store`, NO_COLOR: '1' },
    encoding: 'buffer',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

describe('cerro-torre binary', () => {
  it('prints its version on stdout', () => {
    using dir = tempDir();
    const r = ct(['--version'], dir.path);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^cerro-torre \d+\.\d+\.\d+\n$/);
  });

  it('validates the reference manifest: exit 1, diagnostics on stderr only', () => {
    using dir = tempDir();
    const r = ct(['validate', REFERENCE_MANIFEST], dir.path);
    expect(r.status).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain(':61:91: error MANIFEST_HASH dependencies.external.wordpress.hash');
    expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
    const j = ct(['validate', '--json', REFERENCE_MANIFEST], dir.path);
    expect(JSON.parse(j.stdout.toString())).toMatchObject({
      valid: false,
      errorCode: 'MANIFEST_HASH',
    });
  });

  it('exits 2 with a one-line error for an unreadable file and for bad usage', () => {
    using dir = tempDir();
    const r = ct(['validate', 'missing.ctp'], dir.path);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/^Error \[READ_FAILED\]: /);
    const u = ct(['no-such-command'], dir.path);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/^Error \[USAGE\]/);
  });

  it('canonicalizes RFC 8785 input to the exact bytes on stdout', () => {
    using dir = tempDir();
    const fixture = new URL('../../../shared/test/fixtures/rfc8785/sample', import.meta.url)
      .pathname;
    const r = ct(['canonicalize', '--input', `${fixture}.json`], dir.path);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(readFileSync(`${fixture}.canonical`))).toBe(true);
  });

  it('generates a key into the store', () => {
    using dir = tempDir();
    const r = ct(['keygen', '--id', 'maintainer-1', '--no-passphrase'], dir.path);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.toString()).metadata.owner).toBe('maintainer-1');
  });
});
