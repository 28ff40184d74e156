// SPDX-License-Identifier: Apache-2.0
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { privateKeyFromSeed, publicKeyToBase64 } from '@verified-container/shared/crypto';
import { tempDir } from '../../test/support.js';
import { editTrustStore, readTrustStoreFile } from './edit-trust-store.js';

const pub = (seed: number) =>
  publicKeyToBase64(privateKeyFromSeed(new Uint8Array(32).fill(seed)).publicKey);

function writeStore(dir: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'trust-store.json');
  const store = {
    version: 1,
    id: 'dev',
    updated: '2026-06-01T00:00:00Z',
    profile: 'dev',
    keys: {},
    thresholds: {},
    logs: {
      a: { operator: 'a', publicKey: pub(1), url: 'https://a.example', algorithm: 'ed25519' },
    },
    'x-note': 'kept',
    ...extra,
  };
  writeFileSync(path, JSON.stringify(store, null, 2));
  return path;
}

describe('editTrustStore', () => {
  it('bumps serial, sets updated later than before, keeps unknown members', async () => {
    using dir = tempDir();
    const file = await readTrustStoreFile(writeStore(dir.path));
    // a clock behind the file's own time still gives a later `updated`
    const edited = await editTrustStore(file, new Date('2026-01-01T00:00:00Z'), (doc) => {
      (doc['logs'] as Record<string, unknown>)['b'] = {
        operator: 'b',
        publicKey: pub(2),
        url: 'file:/tmp/b',
        algorithm: 'ed25519',
      };
    });
    expect(edited).toMatchObject({ serial: 1, updated: '2026-06-01T00:00:01Z' });
    const written = JSON.parse(readFileSync(file.path, 'utf8'));
    expect(Object.keys(written)).toEqual([
      'version',
      'id',
      'serial',
      'updated',
      'profile',
      'keys',
      'thresholds',
      'logs',
      'x-note',
    ]);
    expect(Object.keys(written.logs)).toEqual(['a', 'b']);
    const later = await editTrustStore(
      await readTrustStoreFile(file.path),
      new Date('2026-12-01T10:00:00.700Z'),
      () => undefined,
    );
    expect(later).toMatchObject({ serial: 2, updated: '2026-12-01T10:00:00Z' });
  });

  it('writes nothing when the edit makes the store invalid', async () => {
    using dir = tempDir();
    const path = writeStore(dir.path);
    const before = readFileSync(path);
    const file = await readTrustStoreFile(path);
    await expect(
      editTrustStore(file, new Date(), (doc) => {
        doc['logs'] = {};
      }),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_LOG_OPERATORS' });
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a missing or invalid store', async () => {
    using dir = tempDir();
    await expect(readTrustStoreFile(join(dir.path, 'none.json'))).rejects.toMatchObject({
      code: 'READ_FAILED',
    });
    const path = writeStore(dir.path, { version: 2 });
    await expect(readTrustStoreFile(path)).rejects.toMatchObject({ code: 'TRUST_STORE_INVALID' });
  });
});
