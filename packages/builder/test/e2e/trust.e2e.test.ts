// SPDX-License-Identifier: Apache-2.0
// Key and trust-store commands (02 §8–§9) through the built binary, with $VC_ROOT in a temp dir:
// key import/id/export/delete, trust show/add-key/add-log/revoke-key, signed updates.
// CLI JSON output and store fixtures are plain JSON edited in place, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generatePrivateKey,
  privateKeyToPem,
  publicKeyToBase64,
  publicKeyToPem,
} from '@verified-container/shared/crypto';
import { has, tempDir } from '../support.js';

const BIN = new URL('../../dist/bin.js', import.meta.url).pathname;

interface Run {
  status: number | null;
  out: string;
  err: string;
}

function ct(cwd: string, args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', VC_ROOT: join(cwd, 'store'), NO_COLOR: '1', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Runs and expects exit 0; returns stdout parsed as JSON. */
function ok(cwd: string, args: string[], env: Record<string, string> = {}): Record<string, any> {
  const r = ct(cwd, args, env);
  expect(r.status, r.err).toBe(0);
  return JSON.parse(r.out) as Record<string, any>;
}

function keygen(cwd: string, id: string, extra: string[] = []): Record<string, any> {
  return ok(cwd, ['keygen', '--id', id, ...(extra.length > 0 ? extra : ['--no-passphrase'])]);
}

/** Like keygen's entry, but written in-process (faster than a CLI run per key). */
function quickKey(cwd: string, id: string): Record<string, any> {
  const key = generatePrivateKey();
  const dir = join(cwd, 'store/keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, `${id}.key`), privateKeyToPem(key), { mode: 0o600 });
  writeFileSync(join(dir, `${id}.pub`), publicKeyToPem(key.publicKey));
  return {
    id: key.publicKey.keyId,
    algorithm: 'ed25519',
    publicKey: publicKeyToBase64(key.publicKey),
    validFrom: '2026-01-01T00:00:00Z',
    metadata: { owner: id },
  };
}

function logEntry(cwd: string, name: string) {
  const entry = quickKey(cwd, `log-${name}`);
  return {
    operator: `${name}-operator`,
    publicKey: entry.publicKey as string,
    url: `https://${name}.example`,
    algorithm: 'ed25519',
  };
}

/**
 * A production store whose updates need 2 of the updaters u1, u2, u3 (u3 expired); r1 is a
 * releaser. Written at $VC_ROOT/keys/trust-store.json.
 */
function writeProductionStore(cwd: string) {
  const [u1, u2, u3, r1] = ['u1', 'u2', 'u3', 'r1'].map((id) => quickKey(cwd, id));
  if (u1 === undefined || u2 === undefined || u3 === undefined || r1 === undefined)
    throw new Error('no keys');
  u3.validUntil = '2026-02-01T00:00:00Z';
  const store = {
    version: 1,
    id: 'acme',
    serial: 7,
    updated: '2026-01-01T00:00:00Z',
    keys: { releasers: [r1], 'trust-store-updaters': [u1, u2, u3] },
    thresholds: {
      'release-signers': { k: 1, n: 1, algorithm: 'ed25519-multisig', members: [r1.id] },
      'trust-store-updaters': {
        k: 2,
        n: 3,
        algorithm: 'ed25519-multisig',
        members: [u1.id, u2.id, u3.id],
      },
    },
    logs: { a: logEntry(cwd, 'a'), b: logEntry(cwd, 'b'), c: logEntry(cwd, 'c') },
  };
  const path = join(cwd, 'store/keys/trust-store.json');
  writeFileSync(path, `${JSON.stringify(store, null, 2)}\n`);
  return { store, path, ids: { u1: u1.id as string, u2: u2.id as string, r1: r1.id as string } };
}

/** The next version of `store` (serial + 1, a later time, one more revocation), as NEW.json. */
function writeNext(cwd: string, store: Record<string, any>, change: (s: any) => void = () => 0) {
  const next = structuredClone(store);
  next.serial += 1;
  next.updated = '2026-06-01T00:00:00Z';
  next.revocations = [
    { digest: `sha256:${'ab'.repeat(32)}`, reason: 'leaked', revokedAt: '2026-05-01T00:00:00Z' },
  ];
  change(next);
  writeFileSync(join(cwd, 'new.json'), JSON.stringify(next, null, 2));
  return next;
}

describe('key commands (02 §8)', () => {
  it('imports, identifies, exports and deletes keys', () => {
    using dir = tempDir('ct-e2e-key-');
    const cwd = dir.path;
    const gen = keygen(cwd, 'alice');
    // key id of a public and a private PEM
    expect(ct(cwd, ['key', 'id', 'store/keys/alice.pub']).out).toBe(`${gen.id}\n`);
    expect(ok(cwd, ['key', 'id', '--json', 'store/keys/alice.key'])).toEqual({
      keyId: gen.id,
      publicKey: gen.publicKey,
    });
    // the spec's example key: seed 32 × 0x11
    writeFileSync(
      join(cwd, 'spec.b64'),
      'MCowBQYDK2VwAyEA0EqyMnQrtKs6E2i9RhXk5tAiSrcaAWuvhSCjMsl3hzc=\n',
    );
    expect(ct(cwd, ['key', 'id', 'spec.b64']).out).toBe(
      'sha256:503d8ee46d581c649966569ae095e27041de83322e8e0480e5539e00d2d5d874\n',
    );
    // import a public key under a new name, then a private key
    const pub = ok(cwd, ['key', 'import', 'store/keys/alice.pub', '--id', 'alice-copy']);
    expect(pub).toEqual({ id: 'alice-copy', keyId: gen.id, private: false, public: true });
    writeFileSync(join(cwd, 'bob.pem'), readFileSync(join(cwd, 'store/keys/alice.key')));
    expect(ok(cwd, ['key', 'import', 'bob.pem'])).toMatchObject({ id: 'bob', private: true });
    expect(statSync(join(cwd, 'store/keys/bob.key')).mode & 0o777).toBe(0o600);
    const again = ct(cwd, ['key', 'import', 'bob.pem']);
    expect(again.status).toBe(1);
    expect(again.err).toMatch(/^Error \[FILE_EXISTS\]/);
    expect(ct(cwd, ['key', 'export', 'bob']).out).toBe(
      readFileSync(join(cwd, 'store/keys/alice.pub'), 'utf8'),
    );
    const list = ok(cwd, ['key', 'list', '--json']);
    expect(list.keys.map((k: { id: string }) => k.id)).toEqual(['alice', 'alice-copy', 'bob']);
    // delete needs --force
    const refused = ct(cwd, ['key', 'delete', 'bob']);
    expect(refused.status).toBe(2);
    expect(refused.err).toMatch(/^Error \[USAGE\]: deleting key bob needs --force/);
    expect(ok(cwd, ['key', 'delete', 'bob', '--force']).deleted).toHaveLength(2);
    expect(existsSync(join(cwd, 'store/keys/bob.key'))).toBe(false);
    const gone = ct(cwd, ['key', 'delete', 'bob', '--force']);
    expect(gone.status).toBe(2);
    expect(gone.err).toMatch(/^Error \[KEY_NOT_FOUND\]/);
  });

  it('handles encrypted keys: passphrase file, CT_KEY_PASSPHRASE, required, wrong', () => {
    using dir = tempDir('ct-e2e-key-');
    const cwd = dir.path;
    writeFileSync(join(cwd, 'pass'), 'correct horse\n');
    const gen = keygen(cwd, 'enc', ['--passphrase-file', 'pass']);
    expect(readFileSync(join(cwd, 'store/keys/enc.key'), 'utf8')).toMatch(
      /^-----BEGIN ENCRYPTED PRIVATE KEY-----/,
    );
    const key = 'store/keys/enc.key';
    expect(ct(cwd, ['key', 'id', key, '--passphrase-file', 'pass']).out).toBe(`${gen.id}\n`);
    expect(ct(cwd, ['key', 'id', key], { CT_KEY_PASSPHRASE: 'correct horse' }).out).toBe(
      `${gen.id}\n`,
    );
    // not a terminal and no passphrase
    const missing = ct(cwd, ['key', 'id', key]);
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/^Error \[KEY_PASSPHRASE_REQUIRED\]/);
    const wrong = ct(cwd, ['key', 'id', key], { CT_KEY_PASSPHRASE: 'wrong' });
    expect(wrong.status).toBe(2);
    expect(wrong.err).toMatch(/^Error \[KEY_PASSPHRASE_INVALID\]/);
    // an encrypted key is imported as it is
    expect(ok(cwd, ['key', 'import', key, '--id', 'enc2', '--passphrase-file', 'pass'])).toEqual({
      id: 'enc2',
      keyId: gen.id,
      private: true,
      public: true,
    });
    expect(readFileSync(join(cwd, 'store/keys/enc2.key'))).toEqual(
      readFileSync(join(cwd, 'store/keys/enc.key')),
    );
  });

  it.skipIf(!has('script', '--version'))(
    'prompts for a passphrase without echo when stdin is a terminal',
    () => {
      using dir = tempDir('ct-e2e-key-');
      const cwd = dir.path;
      const run = (input: string, args: string[]) =>
        spawnSync('script', ['-qec', [process.execPath, BIN, ...args].join(' '), '/dev/null'], {
          cwd,
          input,
          env: { PATH: process.env['PATH'] ?? '', VC_ROOT: join(cwd, 'store'), NO_COLOR: '1' },
          encoding: 'utf8',
        });
      const gen = run('s3cret\ns3cret\n', ['keygen', '--id', 'tty']);
      expect(gen.status, gen.stdout).toBe(0);
      expect(gen.stdout).toContain('New passphrase');
      expect(readFileSync(join(cwd, 'store/keys/tty.key'), 'utf8')).toMatch(/ENCRYPTED/);
      const id = run('s3cret\n', ['key', 'id', 'store/keys/tty.key']);
      expect(id.status, id.stdout).toBe(0);
      expect(id.stdout).toMatch(/Enter passphrase for .*tty\.key: /);
      expect(id.stdout).toMatch(/sha256:[0-9a-f]{64}/);
      const wrong = run('nope\n', ['key', 'id', 'store/keys/tty.key']);
      expect(wrong.status).toBe(2);
      expect(wrong.stdout).toContain('KEY_PASSPHRASE_INVALID');
    },
  );
});

describe('trust store edits (02 §9)', () => {
  it('shows, adds a key and a log, revokes a key; each edit bumps serial and updated', () => {
    using dir = tempDir('ct-e2e-trust-');
    const cwd = dir.path;
    const { path, ids } = writeProductionStore(cwd);
    const shown = ok(cwd, ['trust', 'show', '--json']);
    expect(shown).toMatchObject({ id: 'acme', serial: 7, profile: 'production', path });
    expect(shown.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(shown.keys).toContainEqual(
      expect.objectContaining({ role: 'trust-store-updaters', owner: 'u3', status: 'expired' }),
    );
    expect(shown.groups.map((g: { name: string }) => g.name)).toEqual([
      'release-signers',
      'trust-store-updaters',
    ]);
    expect(shown.logs.map((l: { id: string }) => l.id)).toEqual(['a', 'b', 'c']);
    const human = ct(cwd, ['trust', 'show']);
    expect(human.status).toBe(0);
    expect(human.out).toMatch(/^trust store acme {2}serial 7 {2}production/);
    expect(human.out).toContain('release-signers       1-of-1  ed25519-multisig  r1');

    const dave = keygen(cwd, 'dave');
    const added = ok(cwd, [
      'trust',
      'add-key',
      '--role',
      'maintainers',
      '--public-key',
      'store/keys/dave.pub',
      '--owner',
      'dave',
      '--valid-until',
      '2099-01-01T00:00:00+01:00',
    ]);
    expect(added).toMatchObject({ changed: true, keyid: dave.id, serial: 8 });
    let file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.keys.maintainers).toEqual([
      {
        id: dave.id,
        algorithm: 'ed25519',
        publicKey: dave.publicKey,
        validFrom: added.updated,
        validUntil: '2098-12-31T23:00:00Z',
        metadata: { owner: 'dave' },
      },
    ]);
    expect(file.updated > '2026-01-01T00:00:00Z').toBe(true);
    const twice = ct(cwd, [
      'trust',
      'add-key',
      '--role',
      'maintainers',
      '--public-key',
      'store/keys/dave.pub',
      '--owner',
      'dave',
    ]);
    expect(twice.status).toBe(1);
    expect(twice.err).toMatch(/^Error \[TRUST_STORE_CONFLICT\]/);

    const d = logEntry(cwd, 'd');
    writeFileSync(join(cwd, 'd.b64'), d.publicKey);
    const log = ok(cwd, [
      'trust',
      'add-log',
      '--id',
      'd',
      '--url',
      'file:logs/d',
      '--public-key',
      'd.b64',
      '--operator',
      'dora',
    ]);
    expect(log).toMatchObject({ serial: 9, url: `file:${join(cwd, 'logs/d')}` });

    const revoked = ok(cwd, ['trust', 'revoke-key', ids.r1, '--at', '2026-03-01T00:00:00Z']);
    expect(revoked).toMatchObject({ changed: true, serial: 10, revokedAt: '2026-03-01T00:00:00Z' });
    expect(ok(cwd, ['trust', 'revoke-key', ids.r1])).toMatchObject({ changed: false, serial: 10 });
    file = JSON.parse(readFileSync(path, 'utf8'));
    expect(file.keys.releasers[0].revokedAt).toBe('2026-03-01T00:00:00Z');
    const unknown = ct(cwd, ['trust', 'revoke-key', `sha256:${'0'.repeat(64)}`]);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toMatch(/^Error \[KEY_NOT_FOUND\]/);

    // the result is validated before anything is written
    const before = readFileSync(path);
    const bad = ct(cwd, [
      'trust',
      'add-key',
      '--role',
      'builders',
      '--public-key',
      'store/keys/dave.pub',
      '--owner',
      'dave',
      '--valid-from',
      '2027-01-01T00:00:00Z',
      '--valid-until',
      '2026-01-01T00:00:00Z',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/^Error \[TRUST_STORE_INVALID\]: .*validUntil/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(ct(cwd, ['validate', '--type', 'trust-store', '--input', path]).status).toBe(0);
  });

  it('edits the store named by --trust-store or $VC_TRUST_STORE; a missing one is READ_FAILED', () => {
    using dir = tempDir('ct-e2e-trust-');
    const cwd = dir.path;
    const missing = ct(cwd, ['trust', 'show']);
    expect(missing.status).toBe(2);
    expect(missing.err).toMatch(/^Error \[READ_FAILED\]: there is no trust store/);
    const { path } = writeProductionStore(cwd);
    writeFileSync(join(cwd, 'other.json'), readFileSync(path));
    const other = ok(cwd, [
      'trust',
      'revoke-key',
      JSON.parse(readFileSync(path, 'utf8')).keys.releasers[0].id,
      '--trust-store',
      'other.json',
    ]);
    expect(other).toMatchObject({ path: join(cwd, 'other.json'), serial: 8 });
    expect(ok(cwd, ['trust', 'show', '--json'], { VC_TRUST_STORE: 'other.json' }).serial).toBe(8);
    expect(ok(cwd, ['trust', 'show', '--json']).serial).toBe(7);
  });

  it('validate --type trust-store: 2 logs in production → INSUFFICIENT_LOG_OPERATORS, valid as dev', () => {
    using dir = tempDir('ct-e2e-trust-');
    const cwd = dir.path;
    const { store } = writeProductionStore(cwd);
    const two = structuredClone(store) as Record<string, any>;
    delete two.logs.c;
    writeFileSync(join(cwd, 'two.json'), JSON.stringify(two));
    const prod = ct(cwd, ['validate', '--type', 'trust-store', '--input', 'two.json', '--json']);
    expect(prod.status).toBe(1);
    expect(JSON.parse(prod.out)).toMatchObject({
      valid: false,
      errorCode: 'INSUFFICIENT_LOG_OPERATORS',
    });
    const dev = ct(cwd, [
      'validate',
      '--type',
      'trust-store',
      '--input',
      'two.json',
      '--profile',
      'dev',
    ]);
    expect(dev.status).toBe(0);
  });
});

describe('signed trust-store updates (02 §9)', () => {
  it('applies an update signed by k updaters; keeps the previous file', () => {
    using dir = tempDir('ct-e2e-update-');
    const cwd = dir.path;
    const { store, path, ids } = writeProductionStore(cwd);
    const next = writeNext(cwd, store);
    const original = readFileSync(path);

    const first = ok(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/u1.key',
    ]);
    expect(first).toMatchObject({ keyid: ids.u1, added: true, signatures: 1, serial: 8 });
    const envelopePath = join(cwd, 'new.json.update.json');
    const envelope = JSON.parse(readFileSync(envelopePath, 'utf8'));
    expect(envelope.payloadType).toBe('application/vnd.verified-container.trust-store+json');
    expect(JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'))).toEqual(next);

    // k − 1 = 1 updater: rejected, nothing changes
    const early = ct(cwd, ['trust', 'update', '--envelope', 'new.json.update.json']);
    expect(early.status).toBe(1);
    expect(early.err).toMatch(/^Error \[TRUST_UPDATE_REJECTED\]: .*1 of the 2 required/);
    expect(readFileSync(path).equals(original)).toBe(true);
    expect(existsSync(`${path}.serial-7`)).toBe(false);

    // an expired updater does not count
    ok(cwd, ['trust', 'sign-update', '--input', 'new.json', '--key', 'store/keys/u3.key']);
    const expired = ct(cwd, ['trust', 'update', '--envelope', 'new.json.update.json', '--json']);
    expect(expired.status).toBe(1);
    expect(JSON.parse(expired.out).error).toMatchObject({
      code: 'TRUST_UPDATE_REJECTED',
      details: { reason: 'threshold-not-met' },
    });

    // a releaser's signature is not an updater's, and gets a warning when signing
    const rel = ct(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/r1.key',
    ]);
    expect(rel.status).toBe(0);
    expect(rel.err).toContain('is not a trust-store-updaters key');
    expect(ct(cwd, ['trust', 'update', '--envelope', 'new.json.update.json']).status).toBe(1);

    const second = ok(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/u2.key',
    ]);
    expect(second).toMatchObject({ keyid: ids.u2, added: true, signatures: 4 });
    const applied = ct(cwd, ['trust', 'update', '--envelope', 'new.json.update.json']);
    expect(applied.status, applied.err).toBe(0);
    expect(applied.out).toBe('{"updated":true,"serial":8}\n');
    expect(readFileSync(`${path}.serial-7`).equals(original)).toBe(true);
    expect(readFileSync(path)).toEqual(Buffer.from(envelope.payload, 'base64'));
    expect(ok(cwd, ['trust', 'show', '--json'])).toMatchObject({ serial: 8, revocations: 1 });

    // the same update again: the serial is no longer greater
    const replay = ct(cwd, ['trust', 'update', '--envelope', 'new.json.update.json']);
    expect(replay.status).toBe(1);
    expect(replay.err).toMatch(/serial 8 is not greater than the current serial 8/);
  });

  it('rejects another id, a failing signature by a known key and an invalid new store', () => {
    using dir = tempDir('ct-e2e-update-');
    const cwd = dir.path;
    const { store, path, ids } = writeProductionStore(cwd);
    const original = readFileSync(path);
    const sign = (envelope: string) => {
      for (const k of ['u1', 'u2']) {
        ok(cwd, [
          'trust',
          'sign-update',
          '--input',
          'new.json',
          '--key',
          `store/keys/${k}.key`,
          '--envelope',
          envelope,
        ]);
      }
    };
    writeNext(cwd, store, (s) => (s.id = 'evil'));
    sign('evil.json');
    const evil = ct(cwd, ['trust', 'update', '--envelope', 'evil.json']);
    expect(evil.status).toBe(1);
    expect(evil.err).toMatch(/^Error \[TRUST_UPDATE_REJECTED\]: .*id "evil"/);

    writeNext(cwd, store);
    sign('good.json');
    const tampered = JSON.parse(readFileSync(join(cwd, 'good.json'), 'utf8'));
    // a signature by the releaser (a key the store knows) that does not verify
    tampered.signatures.push({ keyid: ids.r1, sig: tampered.signatures[0].sig });
    writeFileSync(join(cwd, 'tampered.json'), JSON.stringify(tampered));
    const bad = ct(cwd, ['trust', 'update', '--envelope', 'tampered.json']);
    expect(bad.status).toBe(1);
    expect(bad.err).toMatch(/does not verify/);

    // sign-update refuses an invalid new store; update refuses an envelope carrying one
    writeNext(cwd, store, (s) => delete s.logs);
    const invalid = ct(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/u1.key',
    ]);
    expect(invalid.status).toBe(2);
    expect(invalid.err).toMatch(/^Error \[TRUST_STORE_INVALID\]/);
    expect(readFileSync(path).equals(original)).toBe(true);

    // a different payload in an existing envelope is refused, not mixed
    writeNext(cwd, store, (s) => (s.serial = 99));
    const mixed = ct(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/u1.key',
      '--envelope',
      'good.json',
    ]);
    expect(mixed.status).toBe(2);
    expect(mixed.err).toContain('is an update for another trust store');

    // the good one still applies
    expect(ok(cwd, ['trust', 'update', '--envelope', 'good.json'])).toEqual({
      updated: true,
      serial: 8,
    });
  });

  it('signs with an encrypted key given by --passphrase-file', () => {
    using dir = tempDir('ct-e2e-update-');
    const cwd = dir.path;
    const { store } = writeProductionStore(cwd);
    writeNext(cwd, store);
    writeFileSync(join(cwd, 'pass'), 'pw\n');
    const enc = keygen(cwd, 'enc', ['--passphrase-file', 'pass']);
    const noPass = ct(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/enc.key',
    ]);
    expect(noPass.status).toBe(2);
    expect(noPass.err).toMatch(/^Error \[KEY_PASSPHRASE_REQUIRED\]/);
    const signed = ok(cwd, [
      'trust',
      'sign-update',
      '--input',
      'new.json',
      '--key',
      'store/keys/enc.key',
      '--passphrase-file',
      'pass',
    ]);
    expect(signed).toMatchObject({ keyid: enc.id, added: true });
  });
});
