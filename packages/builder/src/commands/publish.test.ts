// SPDX-License-Identifier: Apache-2.0
// `trust init`, `key list/export`, `sign` and `publish` end to end against a fake HTTP log and a
// real `file:` log directory.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  parseBundle,
  serializeBundle,
  type AttestationBundle,
} from '@verified-container/shared/attestation';
import { publicKeyToBase64 } from '@verified-container/shared/crypto';
import { randomKey, workedExampleBundle } from '@verified-container/testkit';
import { startFakeLog, type FakeLog } from '../../test/fake-log-server.js';
import { makeDeps, tempDir, text } from '../../test/support.js';
import { runCli } from '../cli.js';
import { initLog } from '../tlog/index.js';
import { publishTarget } from './publish.js';

const fakes: FakeLog[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

function manifest(httpUrl: string): string {
  return `[package]
name = "hello"
version = "1.0.0"

[attestations.signing]
threshold = "2-of-3"
keyholders = ["maintainer-1", "maintainer-2", "release-bot"]

[attestations.transparency]
logs = [
    { name = "cerro-torre-log", url = "${httpUrl}" },
    { name = "local-file-log", url = "file:logs/local-file-log" },
]
threshold-agreement = "2-of-2"
`;
}

/** The worked example's statements, unsigned and unpublished. */
function unsignedBundle(): string {
  const b = workedExampleBundle() as unknown as AttestationBundle;
  return serializeBundle({
    ...b,
    attestations: b.attestations.map((e) => ({ ...e, signatures: [] })),
    logEntries: [],
  });
}

describe('trust init, sign and publish', () => {
  it('builds a dev trust store, signs 2-of-3 and publishes to an HTTP and a file: log', async () => {
    using dir = tempDir();
    const cwd = dir.path;
    const deps = makeDeps(cwd);
    const run = (...argv: string[]) => runCli(argv, deps);
    const logKey = randomKey();
    const fake = await startFakeLog('cerro-torre-log', logKey);
    fakes.push(fake);
    await initLog({ dir: join(cwd, 'logs', 'local-file-log'), logId: 'local-file-log' });
    writeFileSync(join(cwd, 'hello.ctp'), manifest(fake.url));

    // Without --dev two logs are too few.
    const prod = await run('trust', 'init', '--manifest', 'hello.ctp');
    expect(prod.exitCode).toBe(2);

    const init = await run(
      'trust',
      'init',
      '--manifest',
      'hello.ctp',
      '--dev',
      '--log',
      `cerro-torre-log=${publicKeyToBase64(logKey.publicKey)}`,
    );
    expect(init.stderr).toContain('Wrote development trust store hello-dev');
    expect(init.exitCode).toBe(0);
    const summary = JSON.parse(text(init.stdout));
    expect(summary).toMatchObject({
      id: 'hello-dev',
      profile: 'dev',
      groups: ['release-signers'],
      logs: ['cerro-torre-log', 'local-file-log'],
    });
    const storePath = join(cwd, 'store', 'keys', 'trust-store.json');
    const store = JSON.parse(readFileSync(storePath, 'utf8'));
    expect(store.thresholds['release-signers']).toMatchObject({ k: 2, n: 3 });
    expect(store.logs['local-file-log'].url).toBe(`file:${join(cwd, 'logs', 'local-file-log')}`);
    const validate = await run(
      'validate',
      '--type',
      'trust-store',
      '--profile',
      'dev',
      '--input',
      storePath,
    );
    expect(JSON.parse(text(validate.stdout))).toMatchObject({ valid: true });
    expect(validate.exitCode).toBe(0);
    expect((await run('trust', 'init', '--manifest', 'hello.ctp', '--dev')).exitCode).toBe(1);

    const list = await run('key', 'list', '--json');
    expect(JSON.parse(text(list.stdout)).keys.map((k: { id: string }) => k.id)).toEqual([
      'maintainer-1',
      'maintainer-2',
      'release-bot',
    ]);
    const exported = await run('key', 'export', 'maintainer-1');
    expect(text(exported.stdout)).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);

    writeFileSync(join(cwd, 'bundle.json'), unsignedBundle());
    const key = (name: string) => join(cwd, 'store', 'keys', `${name}.key`);
    const one = await run('sign', '--key', key('maintainer-1'), 'bundle.json');
    expect(one.exitCode).toBe(0);
    expect(JSON.parse(text(one.stdout))).toMatchObject({
      signed: true,
      owner: 'maintainer-1',
      threshold: { required: 2, have: 1, met: false },
    });
    const early = await run('publish', 'bundle.json');
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toMatch(/^Error \[THRESHOLD_NOT_MET\]/);

    await run('sign', '--key', key('maintainer-2'), 'bundle.json');
    const before = readFileSync(join(cwd, 'bundle.json'));
    const again = await run('sign', '--key', key('maintainer-2'), 'bundle.json');
    expect(JSON.parse(text(again.stdout)).threshold).toEqual({ required: 2, have: 2, met: true });
    expect(readFileSync(join(cwd, 'bundle.json'))).toEqual(before);

    const untrusted = join(cwd, 'stranger.key');
    writeFileSync(
      untrusted,
      (await import('@verified-container/shared/crypto')).privateKeyToPem(randomKey()),
    );
    const refused = await run('sign', '--key', untrusted, 'bundle.json');
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/^Error \[SIGN_KEY_UNTRUSTED\]/);

    const published = await run('publish', 'bundle.json', '--json');
    expect(published.stderr).toContain('✓ Transparency agreement (2-of-2)');
    expect(published.exitCode).toBe(0);
    const doc = JSON.parse(text(published.stdout));
    expect(doc).toMatchObject({ published: true, agreement: '2-of-2', failed: [] });
    expect(doc.entries.map((e: { logId: string }) => e.logId)).toEqual([
      'cerro-torre-log',
      'cerro-torre-log',
      'local-file-log',
      'local-file-log',
    ]);
    const written = parseBundle(readFileSync(join(cwd, 'bundle.json')));
    expect(written.bundle?.logEntries).toHaveLength(4);

    // A third signature changes the envelopes: their entries go, and with the HTTP log down the
    // agreement cannot be reached; the bundle is left exactly as it was.
    const third = await run('sign', '--key', key('release-bot'), 'bundle.json');
    expect(third.stderr).toContain('4 log entries no longer match');
    await fake.close();
    fakes.splice(0);
    const signedBytes = readFileSync(join(cwd, 'bundle.json'));
    const down = await publishTarget('bundle.json', { json: true }, deps, {
      sleep: () => Promise.resolve(),
    });
    expect(down.exitCode).toBe(3);
    expect(down.stderr).toMatch(
      /^Error \[PUBLISH_AGREEMENT_NOT_MET\]: transparency agreement 2-of-2 not reached: cerro-torre-log \(http:\/\/127\.0\.0\.1:\d+\): unavailable \(cannot reach .*\); local-file-log \(file:.*\): ok\n/,
    );
    expect(JSON.parse(text(down.stdout))).toMatchObject({
      published: false,
      failed: [{ logId: 'cerro-torre-log', code: 'LOG_UNAVAILABLE' }],
    });
    expect(readFileSync(join(cwd, 'bundle.json'))).toEqual(signedBytes);
  });
});
