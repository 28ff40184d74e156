// SPDX-License-Identifier: Apache-2.0
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { privateKeyToPem, publicKeyToBase64 } from '@verified-container/shared/crypto';
import { SPEC_KEYS, workedExampleBundle, type SpecKeyName } from '@verified-container/testkit';
import { fixedClock } from '@verified-container/shared';
import { FIXTURES, makeDeps, tempDir, text } from '../../test/support.js';

const MINIMAL_MANIFEST = new URL('manifests/valid-minimal.ctp', FIXTURES).pathname;
import { runCli } from '../cli.js';
import { signStatementCommand } from './sign-statement.js';

const MAINTAINERS: [SpecKeyName, string][] = [
  ['maintainer-1', 'maintainer-1'],
  ['maintainer-2', 'maintainer-2'],
  ['release-bot', 'release-bot'],
];

/** The dev trust store of 02 §11.1. */
function workedExampleTrustStore(opts: { production?: boolean; validUntil?: string } = {}): string {
  const ids = MAINTAINERS.map(([k]) => SPEC_KEYS[k].publicKey.keyId);
  return JSON.stringify({
    version: 1,
    id: 'hello-dev',
    updated: '2026-11-25T09:00:00Z',
    ...(opts.production === true ? {} : { profile: 'dev' }),
    keys: {
      releasers: MAINTAINERS.map(([k, owner]) => ({
        id: SPEC_KEYS[k].publicKey.keyId,
        algorithm: 'ed25519',
        publicKey: publicKeyToBase64(SPEC_KEYS[k].publicKey),
        validFrom: '2026-01-01T00:00:00Z',
        ...(opts.validUntil !== undefined ? { validUntil: opts.validUntil } : {}),
        metadata: { owner },
      })),
    },
    thresholds: {
      'release-signers': { k: 2, n: 3, algorithm: 'ed25519-multisig', members: ids },
    },
    logs: Object.fromEntries(
      (['cerro-torre-log', 'local-file-log'] as const).map((id) => [
        id,
        {
          operator: id,
          publicKey: publicKeyToBase64(SPEC_KEYS[id].publicKey),
          url: `file:///srv/${id}`,
          algorithm: 'ed25519',
        },
      ]),
    ),
  });
}

function setup(dir: string, bundle: unknown = workedExampleBundle()): void {
  writeFileSync(join(dir, 'trust.json'), workedExampleTrustStore());
  writeFileSync(join(dir, 'bundle.json'), JSON.stringify(bundle, null, 2));
}

const verifyArgs = ['verify', '--bundle', 'bundle.json', '--trust-store', 'trust.json'];
const NOW = ['--now', '2026-11-25T12:00:00Z'];

describe('cerro-torre verify --bundle (04 §8)', () => {
  it('the worked example of 02 §11.1 passes steps 2–9 and fails step 10 with SBOM_INVALID', async () => {
    using dir = tempDir();
    setup(dir.path);
    const r = await runCli([...verifyArgs, ...NOW], makeDeps(dir.path));
    expect(r.exitCode).toBe(1);
    const out = JSON.parse(text(r.stdout)) as Record<string, unknown>;
    expect(out).toMatchObject({
      decision: 'REJECT',
      errorCode: 'SBOM_INVALID',
      attestationsVerified: 2,
      logEntriesVerified: 4,
      thresholdsMet: ['release-signers'],
      imageDigest: 'sha256:dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9',
    });
    expect(new Set((out.errors as { code: string }[]).map((e) => e.code))).toEqual(
      new Set(['SBOM_INVALID']),
    );
    expect(r.stderr).toMatch(/REJECT SBOM_INVALID\n$/);
  });

  it('permissive and audit turn it into WARN / LOG with exit 0, each decision audited', async () => {
    using dir = tempDir();
    setup(dir.path);
    const audit = join(dir.path, 'audit.jsonl');
    const p = await runCli(
      [...verifyArgs, ...NOW, '--mode', 'permissive', '--audit-log', audit],
      makeDeps(dir.path),
    );
    expect([p.exitCode, JSON.parse(text(p.stdout)).decision]).toEqual([0, 'WARN']);
    const a = await runCli(
      [...verifyArgs, ...NOW, '--mode', 'audit', '--audit-log', audit],
      makeDeps(dir.path),
    );
    expect([a.exitCode, JSON.parse(text(a.stdout)).decision]).toEqual([0, 'LOG']);
    const lines = readFileSync(audit, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.mode, l.decision, l.errorCode, l.tool, l.cached])).toEqual([
      ['permissive', 'WARN', 'SBOM_INVALID', 'cerro-torre', false],
      ['audit', 'LOG', 'SBOM_INVALID', 'cerro-torre', false],
    ]);
  });

  it('writes the audit record under $VC_ROOT by default', async () => {
    using dir = tempDir();
    setup(dir.path);
    await runCli([...verifyArgs, ...NOW], makeDeps(dir.path));
    expect(readFileSync(join(dir.path, 'store/audit/verify.jsonl'), 'utf8')).toContain(
      '"decision":"REJECT"',
    );
  });

  it('a missing bundle is MISSING_ATTESTATION, exit 1', async () => {
    using dir = tempDir();
    setup(dir.path);
    const r = await runCli(
      ['verify', '--bundle', 'nope.json', '--trust-store', 'trust.json', ...NOW],
      makeDeps(dir.path),
    );
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(text(r.stdout))).toMatchObject({
      decision: 'REJECT',
      errorCode: 'MISSING_ATTESTATION',
    });
  });

  it('one changed byte of a signature is INVALID_SIGNATURE, exit 1', async () => {
    using dir = tempDir();
    const b = workedExampleBundle();
    const sig = b.attestations[0]!.signatures[0]!;
    sig.sig = (sig.sig[0] === 'A' ? 'B' : 'A') + sig.sig.slice(1);
    setup(dir.path, b);
    const r = await runCli([...verifyArgs, ...NOW], makeDeps(dir.path));
    expect(r.exitCode).toBe(1);
    // the envelope's digest changed, so its log entries no longer cover it (step 4 first)
    const out = JSON.parse(text(r.stdout)) as { errors: { code: string }[] };
    expect(out.errors.map((e) => e.code)).toContain('INVALID_SIGNATURE');
  });

  it('setup errors exit 2 with the error object: production store with 2 logs, unknown group', async () => {
    using dir = tempDir();
    setup(dir.path);
    writeFileSync(join(dir.path, 'prod.json'), workedExampleTrustStore({ production: true }));
    const prod = await runCli(
      ['verify', '--bundle', 'bundle.json', '--trust-store', 'prod.json', ...NOW],
      makeDeps(dir.path),
    );
    expect(prod.exitCode).toBe(2);
    expect(JSON.parse(text(prod.stdout)).error.code).toBe('INSUFFICIENT_LOG_OPERATORS');
    const group = await runCli(
      [...verifyArgs, ...NOW, '--threshold-group', 'nope'],
      makeDeps(dir.path),
    );
    expect(group.exitCode).toBe(2);
    expect(JSON.parse(text(group.stdout)).error.code).toBe('THRESHOLD_GROUP_UNKNOWN');
    const mode = await runCli([...verifyArgs, '--mode', 'lenient'], makeDeps(dir.path));
    expect(mode.exitCode).toBe(2);
  });

  it('--log-quorum and --threshold-group are applied', async () => {
    using dir = tempDir();
    const b = workedExampleBundle();
    b.logEntries = b.logEntries.filter((e) => e.logId === 'cerro-torre-log');
    setup(dir.path, b);
    const two = await runCli([...verifyArgs, ...NOW], makeDeps(dir.path));
    expect(JSON.parse(text(two.stdout)).errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
    const one = await runCli(
      [...verifyArgs, ...NOW, '--log-quorum', '1', '--threshold-group', 'release-signers'],
      makeDeps(dir.path),
    );
    expect(JSON.parse(text(one.stdout))).toMatchObject({
      errorCode: 'SBOM_INVALID',
      logEntriesVerified: 2,
    });
  });
});

describe('cerro-torre verify --bundle: manifest and vulnerability database', () => {
  it('a manifest whose bytes differ from the provenance is SUBJECT_MISMATCH in every mode', async () => {
    using dir = tempDir();
    setup(dir.path);
    for (const mode of ['strict', 'permissive', 'audit']) {
      const r = await runCli(
        [...verifyArgs, ...NOW, '--manifest', MINIMAL_MANIFEST, '--mode', mode],
        makeDeps(dir.path),
      );
      expect(r.exitCode).toBe(1);
      expect(JSON.parse(text(r.stdout))).toMatchObject({
        decision: 'REJECT',
        errorCode: 'SUBJECT_MISMATCH',
      });
    }
  });

  it('--require-vuln-db without a database, a database that is not zlib, an empty database', async () => {
    using dir = tempDir();
    setup(dir.path);
    const missing = await runCli([...verifyArgs, ...NOW, '--require-vuln-db'], makeDeps(dir.path));
    const codes = (JSON.parse(text(missing.stdout)) as { errors: { code: string }[] }).errors.map(
      (e) => e.code,
    );
    expect(codes).toContain('VULNERABILITY_DB_MISSING');
    writeFileSync(join(dir.path, 'bad.db'), 'VERSION 1\n');
    const bad = await runCli([...verifyArgs, ...NOW, '--vuln-db', 'bad.db'], makeDeps(dir.path));
    expect(bad.exitCode).toBe(2);
    expect(JSON.parse(text(bad.stdout)).error.code).toBe('VULNERABILITY_DB_INVALID');
    writeFileSync(join(dir.path, 'empty.db'), deflateSync('VERSION 1\n\n\n'));
    const empty = await runCli(
      [...verifyArgs, ...NOW, '--vuln-db', 'empty.db'],
      makeDeps(dir.path),
    );
    const out = JSON.parse(text(empty.stdout)) as { errors: { code: string }[] };
    expect(out.errors.map((e) => e.code)).toEqual(
      expect.not.arrayContaining(['VULNERABILITY_DB_MISSING', 'VULNERABILITY_FOUND']),
    );
  });
});

describe('cerro-torre verify --bundle: result cache (04 §10)', () => {
  const cachedFlags = (audit: string) =>
    readFileSync(audit, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { cached: boolean }).cached);

  it('reuses a result until the trust store changes; never with --now or --no-cache', async () => {
    using dir = tempDir();
    setup(dir.path);
    const audit = join(dir.path, 'audit.jsonl');
    const args = [...verifyArgs, '--audit-log', audit];
    const first = await runCli(args, makeDeps(dir.path));
    const second = await runCli(args, makeDeps(dir.path));
    expect(text(second.stdout)).toBe(text(first.stdout));
    await runCli([...args, '--no-cache'], makeDeps(dir.path));
    await runCli([...args, ...NOW], makeDeps(dir.path));
    writeFileSync(join(dir.path, 'trust.json'), `${workedExampleTrustStore()}\n`);
    await runCli(args, makeDeps(dir.path));
    expect(cachedFlags(audit)).toEqual([false, true, false, false, false]);
  });

  it('does not reuse a result after a counted key’s validUntil passes', async () => {
    using dir = tempDir();
    setup(dir.path);
    writeFileSync(
      join(dir.path, 'trust.json'),
      workedExampleTrustStore({ validUntil: '2026-11-25T10:10:00Z' }),
    );
    const audit = join(dir.path, 'audit.jsonl');
    const args = [...verifyArgs, '--audit-log', audit];
    await runCli(args, makeDeps(dir.path));
    await runCli(args, {
      ...makeDeps(dir.path),
      clock: fixedClock(new Date('2026-11-25T10:05:00Z')),
    });
    const late = await runCli(args, {
      ...makeDeps(dir.path),
      clock: fixedClock(new Date('2026-11-25T10:11:00Z')),
    });
    expect(JSON.parse(text(late.stdout)).errorCode).toBe('EXPIRED_KEY');
    expect(cachedFlags(audit)).toEqual([false, true, false]);
  });
});

describe('cerro-torre create-bundle (04 §8)', () => {
  it('assembles the worked example byte-for-byte as 02 §11 writes it, and verify reads it', async () => {
    using dir = tempDir();
    const b = workedExampleBundle();
    writeFileSync(join(dir.path, 'att.json'), JSON.stringify(b.attestations));
    writeFileSync(join(dir.path, 'entries.json'), JSON.stringify(b.logEntries));
    writeFileSync(join(dir.path, 'meta.json'), JSON.stringify(b.metadata));
    writeFileSync(join(dir.path, 'trust.json'), workedExampleTrustStore());
    const r = await runCli(
      [
        'create-bundle',
        '--attestations',
        'att.json',
        '--log-entries',
        'entries.json',
        '--metadata',
        'meta.json',
        '--output',
        'bundle.json',
      ],
      makeDeps(dir.path),
    );
    expect(r.exitCode).toBe(0);
    const written = readFileSync(join(dir.path, 'bundle.json'), 'utf8');
    expect(written).toBe(`${JSON.stringify(b, null, 2)}\n`);
    const out = JSON.parse(text(r.stdout)) as Record<string, unknown>;
    expect(out).toMatchObject({ created: true, path: 'bundle.json' });
    expect(out.bundleDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const v = await runCli([...verifyArgs, ...NOW], makeDeps(dir.path));
    expect(JSON.parse(text(v.stdout)).errorCode).toBe('SBOM_INVALID');
  });

  it('rejects invalid items with exit 1 and their paths', async () => {
    using dir = tempDir();
    const b = workedExampleBundle();
    b.attestations[1]!.payload = '!!';
    writeFileSync(join(dir.path, 'att.json'), JSON.stringify(b.attestations));
    writeFileSync(join(dir.path, 'entries.json'), '{"a":1,"a":2}');
    const dup = await runCli(
      [
        'create-bundle',
        '--attestations',
        'att.json',
        '--log-entries',
        'entries.json',
        '--output',
        'o.json',
      ],
      makeDeps(dir.path),
    );
    expect(dup.exitCode).toBe(1);
    expect(JSON.parse(text(dup.stdout)).created).toBe(false);
    writeFileSync(join(dir.path, 'entries.json'), '[]');
    const r = await runCli(
      [
        'create-bundle',
        '--attestations',
        'att.json',
        '--log-entries',
        'entries.json',
        '--output',
        'o.json',
      ],
      makeDeps(dir.path),
    );
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(text(r.stdout)).errors).toEqual([
      {
        code: 'MALFORMED_BUNDLE',
        path: '$.attestations[1].payload',
        message: 'payload is not base64',
      },
    ]);
    const missing = await runCli(
      [
        'create-bundle',
        '--attestations',
        'none.json',
        '--log-entries',
        'entries.json',
        '--output',
        'o.json',
      ],
      makeDeps(dir.path),
    );
    expect(missing.exitCode).toBe(2);
  });
});

describe('signStatementCommand (sign --statement, 04 §8)', () => {
  it('signs JCS(F), appends a second key, and leaves a repeated key unchanged', async () => {
    using dir = tempDir();
    const statement = JSON.parse(
      Buffer.from(workedExampleBundle().attestations[1]!.payload, 'base64').toString('utf8'),
    ) as object;
    writeFileSync(join(dir.path, 'st.json'), JSON.stringify(statement, null, 2));
    writeFileSync(join(dir.path, 'm1.key'), privateKeyToPem(SPEC_KEYS['maintainer-1']), {
      mode: 0o600,
    });
    writeFileSync(join(dir.path, 'm2.key'), privateKeyToPem(SPEC_KEYS['maintainer-2']), {
      mode: 0o600,
    });
    const deps = makeDeps(dir.path);
    const first = await signStatementCommand(
      { statement: 'st.json', key: 'm1.key', output: 'env.json' },
      deps,
    );
    expect(first.exitCode).toBe(0);
    expect(JSON.parse(text(first.stdout))).toEqual({
      signed: true,
      keyid: SPEC_KEYS['maintainer-1'].publicKey.keyId,
      payloadDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as string,
      path: 'env.json',
    });
    const second = await signStatementCommand(
      { statement: 'st.json', key: 'm2.key', output: 'env.json', append: true },
      deps,
    );
    expect(second.exitCode).toBe(0);
    const env = readFileSync(join(dir.path, 'env.json'), 'utf8');
    // the same two signatures as the worked example (Ed25519 is deterministic)
    expect(JSON.parse(env)).toEqual(workedExampleBundle().attestations[1]);
    await signStatementCommand(
      { statement: 'st.json', key: 'm2.key', output: 'env.json', append: true },
      deps,
    );
    expect(readFileSync(join(dir.path, 'env.json'), 'utf8')).toBe(env);
  });

  it('refuses a statement that is not Statement v1 (exit 1) and an unusable key (exit 2)', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'st.json'), '{"_type":"x"}');
    writeFileSync(join(dir.path, 'bad.key'), 'not a key');
    const deps = makeDeps(dir.path);
    const r = await signStatementCommand(
      { statement: 'st.json', key: 'bad.key', output: 'env.json' },
      deps,
    );
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(text(r.stdout)).signed).toBe(false);
    const st = Buffer.from(workedExampleBundle().attestations[0]!.payload, 'base64');
    writeFileSync(join(dir.path, 'st.json'), st);
    await expect(
      signStatementCommand({ statement: 'st.json', key: 'bad.key', output: 'env.json' }, deps),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^KEY_/) as string });
  });
});
