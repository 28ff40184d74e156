// SPDX-License-Identifier: Apache-2.0
// `check-transparency` (03 §12) against a real `log serve` child process on loopback and a real
// `file:` log: first sight, growth, --offline, a tampered proof, a rolled-back, a forked and an
// unreachable log.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  attestationDigest,
  serializeBundle,
  signEnvelope,
  type AttestationBundle,
} from '@verified-container/shared/attestation';
import { parsePrivateKeyPem, type Ed25519PrivateKey } from '@verified-container/shared/crypto';
import { REVOCATION_PAYLOAD_TYPE } from '@verified-container/shared/tlog';
import {
  randomKey,
  setUpSignedImage,
  signedManifest,
  workedExampleBundle,
  writeMotdStep,
} from '@verified-container/testkit';
import { runCli } from '../../src/cli.js';
import type { CliDeps } from '../../src/cli/deps.js';
import { openFileLog } from '../../src/tlog/index.js';
import { decodeRecordBody, encodeRecord, scanRecords } from '../../src/tlog/record-codec.js';
import { storedHeadPath } from '../../src/transparency/index.js';
import { cliRunner } from '../signed-image.js';
import { makeDeps, tempDir, text } from '../support.js';
import { envelopeBytes, submissionBody } from '../tlog-support.js';
import { hasBuiltCli, killHard, serveLog, type ServedLog } from '../tlog-server.js';

const MANIFEST = (httpUrl: string) => `[package]
name = "hello"
version = "1.0.0"

[attestations.signing]
threshold = "2-of-3"
keyholders = ["maintainer-1", "maintainer-2", "release-bot"]

[attestations.transparency]
logs = [
    { name = "http-log", url = "${httpUrl}" },
    { name = "file-log", url = "file:logs/file-log" },
]
threshold-agreement = "2-of-2"
`;

interface Run {
  exitCode: number;
  out: string;
  err: string;
}

describe.skipIf(!hasBuiltCli)('check-transparency (log serve + file: log)', () => {
  // Created in beforeAll, so a run that skips every test leaves nothing behind.
  let dir: ReturnType<typeof tempDir> | undefined;
  let cwd = '';
  let deps: CliDeps;
  let httpDir = '';
  let fileDir = '';
  let trustStore = '';
  let server: ServedLog | undefined;
  let extra = 100;

  const run = async (...argv: string[]): Promise<Run> => {
    const r = await runCli(argv, deps);
    return { exitCode: r.exitCode, out: text(r.stdout), err: text(r.stderr) };
  };
  const check = (...flags: string[]) => run('check-transparency', 'bundle.json', ...flags);

  /** (Re)starts the HTTP log and points the trust store at its new port. */
  async function startServer(): Promise<void> {
    server = await serveLog(httpDir);
    const store = JSON.parse(readFileSync(trustStore, 'utf8'));
    store.logs['http-log'].url = server.url;
    writeFileSync(trustStore, `${JSON.stringify(store, null, 2)}\n`);
  }

  async function stopServer(): Promise<void> {
    if (server === undefined) return;
    server.child.kill('SIGTERM');
    await server.exited;
    server = undefined;
  }

  /** One more entry in each log (what other publishers do meanwhile). */
  async function appendToBoth(): Promise<void> {
    const res = await fetch(`${server?.url ?? ''}/api/v1/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: submissionBody(extra),
    });
    expect(res.status).toBe(201);
    const log = await openFileLog(fileDir, { mode: 'embedded' });
    try {
      await log.appendEnvelope('attestation', envelopeBytes(extra));
    } finally {
      await log.close();
    }
    extra += 1;
  }

  /** Submits a revocation of `digest` signed by `key` to the HTTP log; returns its index. */
  async function revoke(digest: string, key: Ed25519PrivateKey): Promise<number> {
    const envelope = signEnvelope(
      {
        revokedDigest: digest,
        reason: 'superseded',
        revokedBy: key.publicKey.keyId,
        revokedAt: '2026-11-25T09:00:00Z',
      },
      key,
      REVOCATION_PAYLOAD_TYPE,
    );
    const res = await fetch(`${server?.url ?? ''}/api/v1/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        revocation: Buffer.from(JSON.stringify(envelope)).toString('base64'),
      }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { logIndex: number }).logIndex;
  }

  beforeAll(async () => {
    dir = tempDir('ct-check-transparency-');
    cwd = dir.path;
    deps = makeDeps(cwd);
    httpDir = join(cwd, 'logs', 'http-log');
    fileDir = join(cwd, 'logs', 'file-log');
    trustStore = join(cwd, 'store', 'keys', 'trust-store.json');
    for (const id of ['http-log', 'file-log']) {
      const r = await run('log', 'init', '--dir', `logs/${id}`, '--origin', id, '--no-passphrase');
      expect(r.exitCode, r.err).toBe(0);
    }
    const httpKey = (
      JSON.parse(readFileSync(join(httpDir, 'log.json'), 'utf8')) as {
        publicKey: string;
      }
    ).publicKey;
    server = await serveLog(httpDir);
    writeFileSync(join(cwd, 'hello.ctp'), MANIFEST(server.url));
    const init = await run(
      'trust',
      'init',
      '--manifest',
      'hello.ctp',
      '--dev',
      '--log',
      `http-log=${httpKey}`,
    );
    expect(init.exitCode, init.err).toBe(0);
    const b = workedExampleBundle() as unknown as AttestationBundle;
    writeFileSync(
      join(cwd, 'bundle.json'),
      serializeBundle({
        ...b,
        attestations: b.attestations.map((e) => ({ ...e, signatures: [] })),
        logEntries: [],
      }),
    );
    for (const k of ['maintainer-1', 'maintainer-2']) {
      const signed = await run(
        'sign',
        '--key',
        join(cwd, 'store', 'keys', `${k}.key`),
        'bundle.json',
      );
      expect(signed.exitCode, signed.err).toBe(0);
    }
    const published = await run('publish', 'bundle.json');
    expect(published.exitCode, published.err).toBe(0);
  });

  afterAll(async () => {
    if (server !== undefined) await killHard(server);
    dir?.[Symbol.dispose]();
  });

  it('first run: every check passes and both heads are recorded', async () => {
    const r = await check('--json');
    expect(r.exitCode, r.err).toBe(0);
    const lines = r.err.split('\n');
    expect(lines[0]).toMatch(/^Transparency for bundle\.json \(sha256:[0-9a-f]{4}…[0-9a-f]{4}\)$/);
    expect(r.err).toContain(
      '✓ file-log: 2 attestations included (#0, #1); head 2 recorded (first time seen)',
    );
    expect(r.err).toContain(
      '✓ http-log: 2 attestations included (#0, #1); head 2 recorded (first time seen)',
    );
    expect(r.err).toContain(
      '✓ Transparency log consensus (2-of-2): every attestation is in 2 distinct logs',
    );
    const doc = JSON.parse(r.out);
    expect(doc.consensus).toEqual({ required: 2, have: 2, met: true });
    expect(doc.errors).toEqual([]);
    expect(doc.logs.map((l: { logId: string; status: string }) => [l.logId, l.status])).toEqual([
      ['file-log', 'ok'],
      ['http-log', 'ok'],
    ]);
    expect(doc.logs[0].previousHead).toBeNull();
    expect(doc.logs[0].head).toMatchObject({ logId: 'file-log', treeSize: 2 });
    for (const id of ['http-log', 'file-log']) {
      const path = storedHeadPath(join(cwd, 'store'), id);
      expect(path.endsWith(`${Buffer.from(id).toString('hex')}.json`)).toBe(true);
      const stored = JSON.parse(readFileSync(path, 'utf8'));
      expect(stored).toMatchObject({ logId: id, treeSize: 2, verifiedAt: '2026-11-25T10:00:00Z' });
      expect(stored.checkpoint).toMatch(new RegExp(`^${id}\\n2\\n`));
    }
  });

  it('after the logs grew: the new heads extend the stored ones', async () => {
    cpSync(fileDir, join(cwd, 'file-log-at-2'), { recursive: true });
    await appendToBoth();
    await appendToBoth();
    const r = await check();
    expect(r.exitCode, r.err).toBe(0);
    expect(r.err).toContain(
      '✓ file-log: 2 attestations included (#0, #1); head 4 consistent with head 2 seen 2026-11-25T10:00:00Z',
    );
    expect(r.err).toContain(
      '✓ http-log: 2 attestations included (#0, #1); head 4 consistent with head 2 seen 2026-11-25T10:00:00Z',
    );
    const stored = JSON.parse(readFileSync(storedHeadPath(join(cwd, 'store'), 'http-log'), 'utf8'));
    expect(stored.treeSize).toBe(4);
  });

  it('--offline checks only the bundle', async () => {
    const r = await check('--offline');
    expect(r.exitCode, r.err).toBe(0);
    expect(r.err).toContain(
      '✓ http-log: 2 attestations included (#0, #1); head not checked (--offline)',
    );
  });

  it('a tampered proof hash → LOG_PROOF_INVALID, exit 1', async () => {
    const bundle = JSON.parse(readFileSync(join(cwd, 'bundle.json'), 'utf8'));
    const at = (
      bundle.logEntries as Array<{ logId: string; inclusionProof: { hashes: string[] } }>
    ).findIndex((e) => e.logId === 'file-log' && e.inclusionProof.hashes.length > 0);
    expect(at).toBeGreaterThanOrEqual(0);
    const proof = bundle.logEntries[at].inclusionProof as { hashes: string[] };
    const h = proof.hashes[0] as string;
    proof.hashes[0] = (h[0] === 'a' ? 'b' : 'a') + h.slice(1);
    writeFileSync(join(cwd, 'tampered.json'), JSON.stringify(bundle));
    const r = await run('check-transparency', 'tampered.json', '--offline', '--json');
    expect(r.exitCode).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^✗ file-log: LOG_PROOF_INVALID: log entry ${at} \\(#\\d\\): the inclusion proof`,
        'm',
      ),
    );
    expect(r.err).toContain('✗ Transparency log consensus (2-of-2): INSUFFICIENT_LOG_COVERAGE');
    expect(JSON.parse(r.out).errors[0]).toMatchObject({ code: 'LOG_PROOF_INVALID' });
  });

  it('a file: log restored from an older copy → LOG_ROLLBACK, the stored head is kept', async () => {
    const current = join(cwd, 'file-log-at-4');
    cpSync(fileDir, current, { recursive: true });
    rmSync(fileDir, { recursive: true });
    cpSync(join(cwd, 'file-log-at-2'), fileDir, { recursive: true });
    try {
      const r = await check();
      expect(r.exitCode).toBe(1);
      expect(r.err).toContain(
        '✗ file-log: LOG_ROLLBACK: head 2 is smaller than head 4 seen 2026-11-25T10:00:00Z (the log was rolled back)',
      );
      expect(r.err).toContain('✓ http-log: 2 attestations included');
      const stored = JSON.parse(
        readFileSync(storedHeadPath(join(cwd, 'store'), 'file-log'), 'utf8'),
      );
      expect(stored.treeSize).toBe(4);
    } finally {
      rmSync(fileDir, { recursive: true });
      cpSync(current, fileDir, { recursive: true });
    }
    expect((await check()).exitCode).toBe(0);
  });

  it('a served log whose old entry was rewritten → LOG_INCONSISTENT, exit 1', async () => {
    await stopServer();
    // Rewrite entry 2 (one a stranger appended): same size, another history. The storage is
    // rebuilt the way the log's own recovery does: level files and head recomputed at start.
    const entriesPath = join(httpDir, 'entries.dat');
    const records = scanRecords(readFileSync(entriesPath)).records.map((r) =>
      decodeRecordBody(r.body),
    );
    expect(records).toHaveLength(4);
    const victim = records[2] as (typeof records)[number];
    victim.leaf = { ...victim.leaf, timestamp: '2020-01-01T00:00:00Z' };
    writeFileSync(entriesPath, Buffer.concat(records.map((r) => encodeRecord(r))));
    rmSync(join(httpDir, 'hashes'), { recursive: true });
    rmSync(join(httpDir, 'head.json'));
    await startServer();

    const forked = await check('--json');
    expect(forked.exitCode).toBe(1);
    expect(forked.err).toMatch(
      /^✗ http-log: LOG_INCONSISTENT: head 4 has root [0-9a-f]{64}, not the root [0-9a-f]{64} of head 4 seen 2026-11-25T10:00:00Z \(forked\)$/m,
    );
    expect(forked.err).toContain('✓ file-log:');
    const doc = JSON.parse(forked.out);
    expect(doc.logs.find((l: { logId: string }) => l.logId === 'http-log').status).toBe('failed');
    expect(doc.errors).toEqual([expect.objectContaining({ code: 'LOG_INCONSISTENT' })]);

    // One more entry: the log now claims an extension of the rewritten history.
    await appendToBoth();
    const rewritten = await check();
    expect(rewritten.exitCode).toBe(1);
    expect(rewritten.err).toContain(
      '✗ http-log: LOG_INCONSISTENT: head 5 is not an extension of head 4 seen 2026-11-25T10:00:00Z (history rewritten or forked)',
    );
    expect(
      JSON.parse(readFileSync(storedHeadPath(join(cwd, 'store'), 'http-log'), 'utf8')).treeSize,
    ).toBe(4);
  });

  it('an unreachable log → ! LOG_UNAVAILABLE with the offline result, exit 3', async () => {
    // Forget the forked log's head so only the outage is reported.
    rmSync(storedHeadPath(join(cwd, 'store'), 'http-log'));
    await stopServer();
    const r = await check('--json');
    expect(r.exitCode).toBe(3);
    expect(r.err).toMatch(
      /^! http-log: LOG_UNAVAILABLE: cannot reach http:\/\/127\.0\.0\.1:\d+: .*; offline: 2 attestations included \(#0, #1\)$/m,
    );
    expect(r.err).toContain('✓ file-log:');
    expect(JSON.parse(r.out).logs[1]).toMatchObject({ logId: 'http-log', status: 'unavailable' });
    expect(existsSync(storedHeadPath(join(cwd, 'store'), 'http-log'))).toBe(false);
  });

  it('a revocation signed by a trust-store key → REVOKED; an untrusted one is ignored', async () => {
    await startServer();
    const bundle = JSON.parse(readFileSync(join(cwd, 'bundle.json'), 'utf8')) as AttestationBundle;
    const statement = JSON.parse(
      Buffer.from(bundle.attestations[0]?.payload ?? '', 'base64').toString('utf8'),
    ) as { subject: Array<{ digest: { sha256: string } }> };
    const image = `sha256:${statement.subject[0]?.digest.sha256 ?? ''}`;
    const attestation = attestationDigest(bundle.attestations[1]);
    const stranger = randomKey();
    const ignored = await revoke(attestation, stranger);
    const clean = await check();
    expect(clean.exitCode, clean.err).toBe(0);
    expect(clean.err).toContain(
      `warning: http-log: revocation #${ignored} of attestation ${attestation} does not verify (its key ${stranger.publicKey.keyId} is not in the trust store); ignored`,
    );
    const maintainer = parsePrivateKeyPem(
      readFileSync(join(cwd, 'store', 'keys', 'maintainer-1.key'), 'utf8'),
    );
    const counted = await revoke(image, maintainer);
    const r = await check('--json');
    expect(r.exitCode).toBe(1);
    expect(r.err).toContain(
      `✗ http-log: REVOKED: image ${image} is revoked (#${counted}, superseded, 2026-11-25T09:00:00Z, by ${maintainer.publicKey.keyId})`,
    );
    expect(JSON.parse(r.out).errors).toEqual([expect.objectContaining({ code: 'REVOKED' })]);
    // A revocation is about the image, not the log: the log's head is still recorded.
    const stored = JSON.parse(readFileSync(storedHeadPath(join(cwd, 'store'), 'http-log'), 'utf8'));
    expect(stored.treeSize).toBe(counted + 1);
  });
});

describe('check-transparency of a store image and a .ctp package', () => {
  it('finds the bundle of a store image and of a .ctp package', async () => {
    using dir = tempDir('ct-check-transparency-store-');
    const cwd = dir.path;
    const deps = { ...makeDeps(cwd), uid: 0 };
    const run = async (...argv: string[]): Promise<Run> => {
      const r = await runCli(argv, deps);
      return { exitCode: r.exitCode, out: text(r.stdout), err: text(r.stderr) };
    };
    await setUpSignedImage(cliRunner(deps), {
      dir: cwd,
      manifest: signedManifest({
        steps: writeMotdStep('logged'),
        threshold: '1-of-1',
        keyholders: ['m1'],
      }),
      keygen: ['m1'],
    });

    const image = await run('check-transparency', 'example/app:1.0.0');
    expect(image.exitCode, image.err).toBe(0);
    expect(image.err).toMatch(/^Transparency for example\/app:1\.0\.0 \(sha256:[0-9a-f]{4}…/);
    expect(image.err).toMatch(/^✓ log-a: \d attestations included \(#0, .*\); head \d recorded/m);
    expect(image.err).toContain('✓ Transparency log consensus (2-of-2)');

    const exported = await run(
      'export',
      'example/app:1.0.0',
      '--format',
      'ctp',
      '--output',
      'exported.ctp',
    );
    expect(exported.exitCode, exported.err).toBe(0);
    const pkg = await run('check-transparency', 'exported.ctp', '--json');
    expect(pkg.exitCode, pkg.err).toBe(0);
    expect(pkg.err).toMatch(/^✓ log-b: .*; head \d consistent with head \d seen /m);
    expect(JSON.parse(pkg.out).consensus).toEqual({ required: 2, have: 2, met: true });

    const missing = await run('check-transparency', 'example/none:1.0.0');
    expect(missing.exitCode).toBe(2);
  });
});
