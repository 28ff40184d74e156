// SPDX-License-Identifier: Apache-2.0
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noteVerifierKey } from '@verified-container/shared/tlog';
import { publicKeyFromBase64 } from '@verified-container/shared/crypto';
import { runCli } from '../cli.js';
import { makeDeps, tempDir, text } from '../../test/support.js';

describe('cerro-torre log init', () => {
  it('creates the log and prints the trust-store entry to paste', async () => {
    using tmp = tempDir();
    const deps = makeDeps(tmp.path);
    const r = await runCli(
      ['log', 'init', '--dir', 'logs/local-file-log', '--no-passphrase'],
      deps,
    );
    expect(r.exitCode).toBe(0);
    const dir = join(tmp.path, 'logs/local-file-log');
    const entry = JSON.parse(text(r.stdout)) as Record<string, Record<string, string>>;
    expect(Object.keys(entry)).toEqual(['local-file-log']);
    expect(entry['local-file-log']).toMatchObject({
      operator: 'local-file-log',
      url: `file:${dir}`,
      algorithm: 'ed25519',
    });
    const key = publicKeyFromBase64(entry['local-file-log']?.['publicKey'] ?? '');
    expect(r.stderr).toContain(noteVerifierKey('local-file-log', key));
    expect(r.stderr).toContain(key.keyId);
    expect(statSync(join(dir, 'log.key')).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8')) as object;
    expect(config).toMatchObject({ formatVersion: 1, logId: 'local-file-log' });
    const head = JSON.parse(readFileSync(join(dir, 'head.json'), 'utf8')) as object;
    expect(head).toMatchObject({ treeSize: 0 });

    const again = await runCli(['log', 'init', '--dir', dir, '--no-passphrase'], deps);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('LOG_EXISTS');
    const forced = await runCli(
      [
        'log',
        'init',
        '--dir',
        dir,
        '--origin',
        'other.log',
        '--no-passphrase',
        '--force',
        '--json',
      ],
      deps,
    );
    expect(forced.exitCode).toBe(0);
    expect(JSON.parse(text(forced.stdout))).toMatchObject({ logId: 'other.log' });
  });

  it('defaults the directory to $VC_ROOT/logs/<origin> and rejects a bad log id', async () => {
    using tmp = tempDir();
    const deps = makeDeps(tmp.path);
    const r = await runCli(['log', 'init', '--origin', 'cerro-torre-log', '--no-passphrase'], deps);
    expect(r.exitCode).toBe(0);
    expect(statSync(join(tmp.path, 'store/logs/cerro-torre-log/log.json')).isFile()).toBe(true);
    const bad = await runCli(['log', 'init', '--origin', 'bad id', '--no-passphrase'], deps);
    expect(bad.exitCode).toBe(2);
    const none = await runCli(['log', 'init'], deps);
    expect(none.exitCode).toBe(2);
  });
});
