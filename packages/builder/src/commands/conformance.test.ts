// SPDX-License-Identifier: Apache-2.0
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '@verified-container/shared/json';
import {
  consistencyProof,
  hashToHex,
  inclusionProof,
  leafHash,
  MemorySubtreeHashes,
  rootAt,
} from '@verified-container/shared/merkle';
import { workedExampleBundle, WORKED_EXAMPLE_LOG_ENTRIES } from '@verified-container/testkit';
import { makeDeps, tempDir, text } from '../../test/support.js';
import { runCli } from '../cli.js';

const leaves = Array.from({ length: 7 }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
function tree() {
  const store = new MemorySubtreeHashes();
  for (const leaf of leaves) store.append(leafHash(leaf));
  return store;
}

describe('cerro-torre verify-proof', () => {
  it('accepts a genuine inclusion proof and rejects a tampered one', async () => {
    using dir = tempDir();
    const store = tree();
    const proof = {
      logIndex: 6,
      treeSize: 7,
      rootHash: hashToHex(rootAt(store, 7)),
      hashes: inclusionProof(store, 6, 7).map(hashToHex),
    };
    writeFileSync(join(dir.path, 'proof.json'), JSON.stringify(proof));
    const leaf = hashToHex(leafHash(leaves[6]!));
    const ok = await runCli(
      ['verify-proof', '--proof', 'proof.json', '--leaf-hash', `sha256:${leaf}`],
      makeDeps(dir.path),
    );
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(text(ok.stdout))).toEqual({
      proofValid: true,
      logIndex: 6,
      treeSize: 7,
      rootHash: proof.rootHash,
    });

    const wrongLeaf = hashToHex(leafHash(leaves[5]!));
    const bad = await runCli(
      ['verify-proof', '--proof', 'proof.json', '--leaf-hash', wrongLeaf],
      makeDeps(dir.path),
    );
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(text(bad.stdout))).toMatchObject({
      proofValid: false,
      errorCode: 'LOG_PROOF_INVALID',
    });

    writeFileSync(
      join(dir.path, 'forged.json'),
      JSON.stringify({ ...proof, hashes: [proof.rootHash] }),
    );
    const forged = await runCli(
      ['verify-proof', '--proof', 'forged.json', '--leaf-hash', leaf],
      makeDeps(dir.path),
    );
    expect(forged.exitCode).toBe(1);
  });

  it('computes the leaf hash of --entry and reads a bundle log entry', async () => {
    using dir = tempDir();
    // 02 §11.1: the first log entry and the leaf of 03 §3.1.
    const entry = WORKED_EXAMPLE_LOG_ENTRIES[0]!;
    const leafObject = JSON.parse(
      '{"body":{"attestationDigest":"sha256:4bb4785ef80922bcc971536454daeba5ab56c3b5892a4c1aab34d759c251ae5a","predicateType":"https://slsa.dev/provenance/v1","subjectDigest":"sha256:dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9"},"entryType":"attestation","timestamp":"2026-11-25T10:00:05Z","version":1}',
    );
    writeFileSync(join(dir.path, 'entry.json'), JSON.stringify(entry));
    writeFileSync(join(dir.path, 'leaf.json'), JSON.stringify(leafObject));
    const r = await runCli(
      ['verify-proof', '--proof', 'entry.json', '--entry', 'leaf.json'],
      makeDeps(dir.path),
    );
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(text(r.stdout))).toMatchObject({
      proofValid: true,
      logIndex: 5,
      treeSize: 6,
    });
    expect(hashToHex(leafHash(canonicalBytes(leafObject)))).toBe(
      '7b24640e096d782f96d59039b2ecd21776d91bb1991fe435d06905453b898ef2',
    );
    // inclusionProof.logIndex must equal the entry's logIndex (04 §3 step 8)
    writeFileSync(join(dir.path, 'entry2.json'), JSON.stringify({ ...entry, logIndex: 4 }));
    const mismatch = await runCli(
      ['verify-proof', '--proof', 'entry2.json', '--entry', 'leaf.json'],
      makeDeps(dir.path),
    );
    expect(mismatch.exitCode).toBe(1);
  });

  it('checks consistency proofs', async () => {
    using dir = tempDir();
    const store = tree();
    const doc = {
      first: 3,
      second: 7,
      firstRootHash: hashToHex(rootAt(store, 3)),
      secondRootHash: hashToHex(rootAt(store, 7)),
      hashes: consistencyProof(store, 3, 7).map(hashToHex),
    };
    writeFileSync(join(dir.path, 'c.json'), JSON.stringify(doc));
    const ok = await runCli(
      ['verify-proof', '--consistency', '--proof', 'c.json'],
      makeDeps(dir.path),
    );
    expect(ok).toMatchObject({ exitCode: 0, stdout: '{"consistent":true}\n' });
    writeFileSync(join(dir.path, 'c2.json'), JSON.stringify({ ...doc, first: 4 }));
    const bad = await runCli(
      ['verify-proof', '--consistency', '--proof', 'c2.json'],
      makeDeps(dir.path),
    );
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(text(bad.stdout)).consistent).toBe(false);
  });

  it('exits 2 for a missing proof file, 2 for usage, 1 for a malformed proof', async () => {
    using dir = tempDir();
    const missing = await runCli(
      ['verify-proof', '--proof', 'nope.json', '--leaf-hash', '00'.repeat(32)],
      makeDeps(dir.path),
    );
    expect(missing.exitCode).toBe(2);
    writeFileSync(join(dir.path, 'p.json'), '{"logIndex":1.5}');
    const usage = await runCli(['verify-proof', '--proof', 'p.json'], makeDeps(dir.path));
    expect(usage.exitCode).toBe(2);
    const malformed = await runCli(
      ['verify-proof', '--proof', 'p.json', '--leaf-hash', '00'.repeat(32)],
      makeDeps(dir.path),
    );
    expect(malformed.exitCode).toBe(1);
  });
});

describe('cerro-torre validate --type', () => {
  it('accepts the worked-example bundle and reports problems with codes and paths', async () => {
    using dir = tempDir();
    const bundle = workedExampleBundle();
    writeFileSync(join(dir.path, 'bundle.json'), JSON.stringify(bundle, null, 2));
    const ok = await runCli(
      ['validate', '--type', 'attestation-bundle', '--input', 'bundle.json'],
      makeDeps(dir.path),
    );
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(text(ok.stdout))).toMatchObject({ valid: true });

    const tampered = structuredClone(bundle);
    tampered.logEntries = tampered.logEntries.slice(0, 1);
    tampered.attestations[0]!.signatures[0]!.sig = 'AAAA';
    writeFileSync(join(dir.path, 'bad.json'), JSON.stringify(tampered));
    const bad = await runCli(
      ['validate', '--type', 'attestation-bundle', '--input', 'bad.json'],
      makeDeps(dir.path),
    );
    expect(bad.exitCode).toBe(1);
    const doc = JSON.parse(text(bad.stdout));
    expect(doc.errorCode).toBe('INSUFFICIENT_LOG_COVERAGE');
    expect(doc.errors.map((e: { code: string }) => e.code)).toEqual([
      'INSUFFICIENT_LOG_COVERAGE',
      'INVALID_SIGNATURE',
    ]);
    expect(doc.errors[1].path).toBe('$.attestations[0].signatures[0].sig');
    const dev = await runCli(
      ['validate', '--type', 'attestation-bundle', '--input', 'bad.json', '--profile', 'dev'],
      makeDeps(dir.path),
    );
    expect(JSON.parse(text(dev.stdout)).errorCode).toBe('INVALID_SIGNATURE');
  });

  it('rejects duplicate keys as MALFORMED_BUNDLE and exits 2 for a file that is not JSON', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'dup.json'), '{"mediaType":"a","mediaType":"b"}');
    const dup = await runCli(
      ['validate', '--type', 'attestation-bundle', '--input', 'dup.json'],
      makeDeps(dir.path),
    );
    expect(dup.exitCode).toBe(1);
    expect(JSON.parse(text(dup.stdout)).errorCode).toBe('MALFORMED_BUNDLE');
    writeFileSync(join(dir.path, 'junk.json'), 'not json at all');
    const junk = await runCli(
      ['validate', '--type', 'trust-store', '--input', 'junk.json'],
      makeDeps(dir.path),
    );
    expect(junk.exitCode).toBe(2);
    expect(JSON.parse(text(junk.stdout)).error.code).toBe('READ_FAILED');
  });
});
