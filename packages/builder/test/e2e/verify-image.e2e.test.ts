// SPDX-License-Identifier: Apache-2.0
// `cerro-torre verify <image | x.ctp | oci:dir>` (04 §9) on a tiny image built, signed 2-of-3 and
// published to two file: logs in a temporary store; then the tamper cases of 04 §11 that need a
// real image, package or rebuild.
import { createReadStream, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gzipSync } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { SIGNED_PACKAGE, SIGNED_REF, buildSignedImage, cli, type CliRun } from '../signed-image.js';
import { tempDir } from '../support.js';

interface Member {
  header: Partial<Header> & Pick<Header, 'name'>;
  body: Buffer;
}

/** The members of a `.ctp` (gzip tar), in order. */
async function readPackage(path: string): Promise<Member[]> {
  const members: Member[] = [];
  const ex = extract();
  const feeding = pipeline(createReadStream(path), createGunzip(), ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    members.push({ header: entry.header, body: Buffer.concat(chunks) });
  }
  await feeding;
  return members;
}

/** Writes `members` as a gzip tar at `path`. */
async function writePackage(path: string, members: readonly Member[]): Promise<void> {
  const p = pack();
  for (const m of members) {
    p.entry({ ...m.header, ...(m.header.type === 'file' ? { size: m.body.length } : {}) }, m.body);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  writeFileSync(path, gzipSync(Buffer.concat(chunks)));
}

/** A copy of the signed package with `edit` applied to its members. */
async function editedPackage(
  dir: string,
  name: string,
  edit: (members: Member[]) => Member[],
): Promise<string> {
  const members = await readPackage(join(dir, SIGNED_PACKAGE));
  await writePackage(join(dir, name), edit(members));
  return name;
}

function file(name: string, body: string | Buffer, extra: Partial<Header> = {}): Member {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return { header: { name, type: 'file', mode: 0o644, size: bytes.length, ...extra }, body: bytes };
}

function flipLastByte(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy.writeUInt8((copy.readUInt8(copy.length - 1) ^ 0x01) & 0xff, copy.length - 1);
  return copy;
}

function bundleDir(dir: string): string {
  const root = join(dir, 'store/bundles');
  const [only] = readdirSync(root).filter((n) => n.startsWith('sha256-'));
  return join(root, only as string);
}

function lastLine(r: CliRun): string {
  return r.err.trimEnd().split('\n').at(-1) ?? '';
}

function json(r: CliRun): Record<string, unknown> {
  return JSON.parse(r.out) as Record<string, unknown>;
}

/** Changes one base64 character of the first signature of the store bundle's first envelope. */
function tamperStoreSignature(dir: string): void {
  const path = join(bundleDir(dir), 'attestations/bundle.json');
  const bundle = JSON.parse(readFileSync(path, 'utf8'));
  const sig = bundle.attestations[0].signatures[0].sig as string;
  bundle.attestations[0].signatures[0].sig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  writeFileSync(path, `${JSON.stringify(bundle, null, 2)}\n`);
}

describe('cerro-torre verify <target> (04 §9)', () => {
  it('a store image and its .ctp: ALLOW with every check line; --json adds the checks', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const r = await cli(deps, 'verify', SIGNED_REF, '--trust-store', trustStore);
    expect(r.exitCode, r.err).toBe(0);
    expect(r.out).toBe('');
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^Verifying example\/app:1\.0\.0 \(sha256:[0-9a-f]{4}…[0-9a-f]{4}\) with trust store example\/app-dev \(serial 0\)$/,
    );
    expect(lines.slice(1)).toEqual([
      '✓ Attestations bound to the image (3 attestations; manifest matches provenance)',
      '✓ Threshold signatures (2-of-3): m1, m2, bot',
      '✓ Transparency log consensus (2-of-2): log-a, log-b',
      '✓ SBOM present and valid (SPDX 2.3, 1 package)',
      '✓ Licences allowed by policy',
      '! No critical vulnerabilities: not checked: no vulnerability database configured (use --vuln-db FILE or VC_VULN_DB)',
      '✓ All dependencies have provenance (no packages)',
      '– Build reproducible: skipped (use --rebuild)',
      'ALLOW',
    ]);

    const p = await cli(deps, 'verify', SIGNED_PACKAGE, '--trust-store', trustStore, '--json');
    expect(p.exitCode, p.err).toBe(0);
    expect(p.err.split('\n').slice(1)).toEqual(lines.slice(1).concat(''));
    const doc = json(p);
    expect(doc).toMatchObject({
      decision: 'ALLOW',
      attestationsVerified: 3,
      logEntriesVerified: 6,
      thresholdsMet: ['release-signers', 'keyholders'],
    });
    expect(doc.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(doc.checks).toEqual([
      {
        name: 'Attestations bound to the image',
        status: 'pass',
        detail: '3 attestations; manifest matches provenance',
        codes: [],
      },
      { name: 'Threshold signatures (2-of-3)', status: 'pass', detail: 'm1, m2, bot', codes: [] },
      {
        name: 'Transparency log consensus (2-of-2)',
        status: 'pass',
        detail: 'log-a, log-b',
        codes: [],
      },
      { name: 'SBOM present and valid', status: 'pass', detail: 'SPDX 2.3, 1 package', codes: [] },
      { name: 'Licences allowed by policy', status: 'pass', detail: '', codes: [] },
      {
        name: 'No critical vulnerabilities',
        status: 'warn',
        detail:
          'not checked: no vulnerability database configured (use --vuln-db FILE or VC_VULN_DB)',
        codes: ['VULNERABILITY_DB_MISSING'],
      },
      {
        name: 'All dependencies have provenance',
        status: 'pass',
        detail: 'no packages',
        codes: [],
      },
      {
        name: 'Build reproducible',
        status: 'skip',
        detail: 'skipped (use --rebuild)',
        codes: [],
      },
    ]);
    // Both decisions were audited under $VC_ROOT.
    const audit = readFileSync(join(dir.path, 'store/audit/verify.jsonl'), 'utf8').trimEnd();
    expect(audit.split('\n').map((l) => (JSON.parse(l) as { decision: string }).decision)).toEqual([
      'ALLOW',
      'ALLOW',
    ]);
  });

  it('setup and usage errors exit 2 without a decision', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const unknown = await cli(deps, 'verify', 'example/app:9.9.9', '--trust-store', trustStore);
    expect([unknown.exitCode, unknown.err]).toEqual([
      2,
      expect.stringContaining('IMAGE_NOT_FOUND'),
    ]);
    const group = await cli(
      deps,
      'verify',
      SIGNED_REF,
      '--trust-store',
      trustStore,
      '--threshold-group',
      'nope',
      '--json',
    );
    expect(group.exitCode).toBe(2);
    expect(json(group)).toMatchObject({ error: { code: 'THRESHOLD_GROUP_UNKNOWN' } });
    // Mixing the forms: the conformance form's JSON error (--bundle is given).
    const both = await cli(deps, 'verify', SIGNED_REF, '--bundle', 'x.json');
    expect(both.exitCode).toBe(2);
    expect(json(both)).toMatchObject({ error: { code: 'USAGE' } });
    const neither = await cli(deps, 'verify');
    expect([neither.exitCode, neither.err]).toEqual([2, expect.stringContaining('USAGE')]);
  });

  it('one changed byte of a layer blob → MALFORMED_BUNDLE, exit 1, in every mode', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const index = JSON.parse(readFileSync(join(dir.path, 'store/images/index.json'), 'utf8'));
    const manifestHex = (index.manifests[0].digest as string).slice(7);
    const blobs = join(dir.path, 'store/images/blobs/sha256');
    const manifest = JSON.parse(readFileSync(join(blobs, manifestHex), 'utf8'));
    const layer = join(blobs, (manifest.layers[0].digest as string).slice(7));
    // An ALLOW cached before the change is not reused: the blobs are hashed on every run.
    const before = await cli(deps, 'verify', SIGNED_REF, '--trust-store', trustStore);
    expect(lastLine(before)).toBe('ALLOW');
    writeFileSync(layer, flipLastByte(readFileSync(layer)));
    for (const mode of ['strict', 'permissive', 'audit']) {
      const r = await cli(deps, 'verify', SIGNED_REF, '--trust-store', trustStore, '--mode', mode);
      expect(r.exitCode, r.err).toBe(1);
      expect(lastLine(r)).toBe('REJECT MALFORMED_BUNDLE');
      expect(r.err).toContain('✗ Attestations bound to the image\n  MALFORMED_BUNDLE: ');
      expect(r.err).toContain('– SBOM present and valid: skipped (MALFORMED_BUNDLE)');
    }
  });

  it('manifest.toml image_digest edited → SUBJECT_MISMATCH, REJECT in every mode', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const before = await cli(deps, 'verify', SIGNED_PACKAGE, '--trust-store', trustStore);
    expect(lastLine(before)).toBe('ALLOW');
    const name = await editedPackage(dir.path, 'edited.ctp', (members) =>
      members.map((m) =>
        m.header.name.replace(/^\.\//, '') === 'manifest.toml'
          ? file(
              m.header.name,
              m.body
                .toString('utf8')
                .replace(
                  /image_digest = "sha256:[0-9a-f]{64}"/,
                  `image_digest = "sha256:${'ab'.repeat(32)}"`,
                ),
            )
          : m,
      ),
    );
    for (const mode of ['strict', 'audit']) {
      const r = await cli(
        deps,
        'verify',
        name,
        '--trust-store',
        trustStore,
        '--mode',
        mode,
        '--json',
      );
      expect(r.exitCode, r.err).toBe(1);
      expect(json(r)).toMatchObject({ decision: 'REJECT', errorCode: 'SUBJECT_MISMATCH' });
      expect(lastLine(r)).toBe('REJECT SUBJECT_MISMATCH');
    }
  });

  it('a .ctp with an unsafe entry → MALFORMED_BUNDLE at step 1, exit 1, in every mode', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const cases: [string, RegExp, (members: Member[]) => Member[]][] = [
      ['a ../x entry', /entry name with "\.\."/, (m) => [...m, file('../x', 'escape')]],
      ['an absolute entry', /absolute entry name/, (m) => [...m, file('/etc/x', 'escape')]],
      [
        'a symlink to /etc/passwd',
        /symlink passwd to the absolute path/,
        (m) => [
          ...m,
          {
            header: { name: 'passwd', type: 'symlink', linkname: '/etc/passwd' },
            body: Buffer.alloc(0),
          },
        ],
      ],
      [
        'a device node',
        /entry null of type character-device/,
        (m) => [
          ...m,
          {
            header: { name: 'null', type: 'character-device', devmajor: 1, devminor: 3 },
            body: Buffer.alloc(0),
          },
        ],
      ],
      [
        'a duplicate path',
        /two entries for manifest\.toml/,
        (m) => [...m, file('manifest.toml', 'name = "x"\n')],
      ],
    ];
    for (const [what, reason, edit] of cases) {
      const name = await editedPackage(dir.path, 'evil.ctp', edit);
      for (const mode of ['strict', 'permissive', 'audit']) {
        const r = await cli(
          deps,
          'verify',
          name,
          '--trust-store',
          trustStore,
          '--mode',
          mode,
          '--json',
        );
        expect(r.exitCode, `${what} ${mode}: ${r.err}`).toBe(1);
        expect(json(r), what).toMatchObject({ decision: 'REJECT', errorCode: 'MALFORMED_BUNDLE' });
        expect(json(r).message, what).toMatch(reason);
        // Without the package's manifest the threshold is the trust store's group.
        expect(r.err).toContain(
          '– Threshold signatures (release-signers 2-of-3): skipped (MALFORMED_BUNDLE)',
        );
      }
    }
  });

  it('not a tar, a truncated gzip → MALFORMED_BUNDLE, exit 1, in every mode', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    writeFileSync(join(dir.path, 'text.ctp'), 'this is not a tar\n');
    const whole = readFileSync(join(dir.path, SIGNED_PACKAGE));
    writeFileSync(join(dir.path, 'cut.ctp'), whole.subarray(0, Math.floor(whole.length / 2)));
    for (const [name, reason] of [
      ['text.ctp', /neither a tar nor a gzip-compressed tar/],
      ['cut.ctp', /is damaged/],
    ] as const) {
      for (const mode of ['strict', 'permissive', 'audit']) {
        const r = await cli(deps, 'verify', name, '--trust-store', trustStore, '--mode', mode);
        expect([r.exitCode, lastLine(r)], r.err).toEqual([1, 'REJECT MALFORMED_BUNDLE']);
        expect(r.err).toMatch(reason);
      }
    }
  });

  it('one changed byte of a layer blob inside the .ctp → MALFORMED_BUNDLE', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const members = await readPackage(join(dir.path, SIGNED_PACKAGE));
    const blob = (hex: string) =>
      members.find((m) => m.header.name.endsWith(`oci-layout/blobs/sha256/${hex}`));
    const index = JSON.parse(
      members.find((m) => m.header.name.endsWith('oci-layout/index.json'))?.body.toString() ?? '',
    );
    const manifest = JSON.parse(
      blob((index.manifests[0].digest as string).slice(7))?.body.toString() ?? '',
    );
    const layer = blob((manifest.layers[0].digest as string).slice(7)) as Member;
    layer.body = flipLastByte(layer.body);
    await writePackage(join(dir.path, 'layer.ctp'), members);
    const r = await cli(deps, 'verify', 'layer.ctp', '--trust-store', trustStore);
    expect([r.exitCode, lastLine(r)]).toEqual([1, 'REJECT MALFORMED_BUNDLE']);
    expect(r.err).toMatch(
      /MALFORMED_BUNDLE: layer.ctp: oci-layout: layer 0 sha256:[0-9a-f]{64} does not match/,
    );
  });

  it('a .ctp without attestations/bundle.json → MISSING_ATTESTATION (permissive: WARN, exit 0)', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const name = await editedPackage(dir.path, 'nobundle.ctp', (members) =>
      members.filter((m) => !m.header.name.endsWith('attestations/bundle.json')),
    );
    const r = await cli(deps, 'verify', name, '--trust-store', trustStore);
    expect([r.exitCode, lastLine(r)]).toEqual([1, 'REJECT MISSING_ATTESTATION']);
    const p = await cli(deps, 'verify', name, '--trust-store', trustStore, '--mode', 'permissive');
    expect([p.exitCode, lastLine(p)]).toEqual([0, 'WARN MISSING_ATTESTATION']);
  });

  it('a tampered signature: strict REJECT, permissive WARN and audit LOG with exit 0, each audited', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    tamperStoreSignature(dir.path);
    const audit = join(dir.path, 'audit.jsonl');
    const args = ['verify', SIGNED_REF, '--trust-store', trustStore, '--audit-log', audit];
    // The attestation digest covers the signatures (02 §7), so the logged entries no longer
    // match either: step 4 reports first, step 7 names the signature.
    const strict = await cli(deps, ...args, '--json');
    expect([strict.exitCode, lastLine(strict)]).toEqual([1, 'REJECT INSUFFICIENT_LOG_COVERAGE']);
    const codes = (json(strict).errors as { code: string }[]).map((e) => e.code);
    expect(codes).toContain('INVALID_SIGNATURE');
    expect(strict.err).toContain('✗ Threshold signatures (2-of-3)\n  INVALID_SIGNATURE: ');
    const warn = await cli(deps, ...args, '--mode', 'permissive');
    expect([warn.exitCode, lastLine(warn)]).toEqual([0, 'WARN INSUFFICIENT_LOG_COVERAGE']);
    expect(warn.err).toContain('! Threshold signatures (2-of-3)\n  INVALID_SIGNATURE: ');
    const log = await cli(deps, ...args, '--mode', 'audit', '--json');
    expect([log.exitCode, json(log).decision]).toEqual([0, 'LOG']);
    const lines = readFileSync(audit, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.mode, l.decision, l.errorCode])).toEqual([
      ['strict', 'REJECT', 'INSUFFICIENT_LOG_COVERAGE'],
      ['permissive', 'WARN', 'INSUFFICIENT_LOG_COVERAGE'],
      ['audit', 'LOG', 'INSUFFICIENT_LOG_COVERAGE'],
    ]);
  });

  it('--rebuild: the unchanged package is reproducible; a changed context file is not', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const same = await cli(
      deps,
      'verify',
      SIGNED_PACKAGE,
      '--trust-store',
      trustStore,
      '--rebuild',
    );
    expect(same.exitCode, same.err).toBe(0);
    expect(same.err).toMatch(
      /✓ Build reproducible \(rebuilt sha256:[0-9a-f]{4}…[0-9a-f]{4}\)\nALLOW\n$/,
    );

    // --context DIR with one changed file.
    writeFileSync(join(dir.path, 'index.html'), '<h1>changed</h1>\n');
    const changed = await cli(
      deps,
      'verify',
      SIGNED_PACKAGE,
      '--trust-store',
      trustStore,
      '--rebuild',
      '--context',
      '.',
      '--json',
    );
    expect(changed.exitCode, changed.err).toBe(1);
    const doc = json(changed);
    expect(doc).toMatchObject({ decision: 'REJECT', errorCode: 'NOT_REPRODUCIBLE' });
    expect(doc.message).toMatch(
      /^the rebuilt image sha256:[0-9a-f]{64} is not sha256:[0-9a-f]{64}: layer 0 differs: diff_id sha256:[0-9a-f]{64}, expected sha256:[0-9a-f]{64}$/,
    );
    expect(changed.err).toContain('✗ Build reproducible\n  NOT_REPRODUCIBLE: the rebuilt image');

    // The package's own source/context/ file changed.
    const name = await editedPackage(dir.path, 'ctx.ctp', (members) =>
      members.map((m) =>
        m.header.name.endsWith('source/context/index.html') ? file(m.header.name, 'other\n') : m,
      ),
    );
    const pkg = await cli(deps, 'verify', name, '--trust-store', trustStore, '--rebuild');
    expect([pkg.exitCode, lastLine(pkg)]).toEqual([1, 'REJECT NOT_REPRODUCIBLE']);
    // Permissive: a WARN row (exit 0).
    const permissive = await cli(
      deps,
      'verify',
      name,
      '--trust-store',
      trustStore,
      '--rebuild',
      '--mode',
      'permissive',
    );
    expect([permissive.exitCode, lastLine(permissive)]).toEqual([0, 'WARN NOT_REPRODUCIBLE']);
  });

  it('an OCI layout with the bundle artifact (oci:<dir>) verifies like the store image', async () => {
    using dir = tempDir('ct-e2e-verify-');
    const { deps, trustStore } = await buildSignedImage(dir.path);
    const exported = await cli(deps, 'export', SIGNED_REF, '--format', 'oci', '--output', 'layout');
    expect(exported.exitCode, exported.err).toBe(0);
    const r = await cli(deps, 'verify', 'oci:layout', '--trust-store', trustStore);
    expect(r.exitCode, r.err).toBe(0);
    expect(lastLine(r)).toBe('ALLOW');
    // Without source/ there is no manifest: the licence line is not shown.
    expect(r.err).not.toContain('Licences');
  });
});
