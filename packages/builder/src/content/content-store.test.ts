// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { DirectoryContentStore } from './content-store.js';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

describe('DirectoryContentStore', () => {
  it('stores by digest, checks expectations, reports missing content with a code', async () => {
    using dir = tempDir();
    const store = new DirectoryContentStore(dir.path);
    const stored = await store.put(new TextEncoder().encode('hello'));
    expect(stored).toEqual({ digest: hex('hello'), size: 5 });
    expect(Buffer.from(await store.read(stored.digest)).toString()).toBe('hello');
    expect(await store.has(stored.digest)).toBe(true);
    await expect(
      store.put(new TextEncoder().encode('other'), { digest: hex('hello').replace(/^./, '0') }),
    ).rejects.toMatchObject({ code: 'BUILD_HASH_MISMATCH' });
    await expect(store.read(hex('absent'))).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    const err = await new Promise((resolve) =>
      store.open(hex('absent')).on('error', resolve).resume(),
    );
    expect(err).toMatchObject({ code: 'STATE_CORRUPT' });
  });
});
