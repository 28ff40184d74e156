// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import { sha256 } from '@verified-container/shared/crypto';
import {
  MemorySubtreeHashes,
  consistencyProof,
  inclusionProof,
  rootAt,
} from '@verified-container/shared/merkle';
import { tempDir } from '../../test/support.js';
import { FileSubtreeHashes } from './file-subtree-hashes.js';

const dirs: Array<{ [Symbol.dispose](): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d[Symbol.dispose]()));

const leaf = (i: number) => sha256(new TextEncoder().encode(`leaf ${i}`));

describe('FileSubtreeHashes', () => {
  it('gives the same roots and proofs as the in-memory store for every size up to 300', () => {
    const tmp = tempDir('ct-levels-');
    dirs.push(tmp);
    const file = FileSubtreeHashes.open(tmp.path, []);
    const memory = new MemorySubtreeHashes();
    try {
      for (let n = 1; n <= 300; n++) {
        file.append(leaf(n - 1));
        memory.append(leaf(n - 1));
        expect(rootAt(file, n)).toEqual(rootAt(memory, n));
        const i = (n * 7) % n;
        expect(inclusionProof(file, i, n)).toEqual(inclusionProof(memory, i, n));
        expect(consistencyProof(file, Math.floor(n / 3), n)).toEqual(
          consistencyProof(memory, Math.floor(n / 3), n),
        );
      }
      file.sync();
    } finally {
      file.close();
    }
  });

  it('rebuilds missing levels from the leaf hashes on open', () => {
    const tmp = tempDir('ct-levels-');
    dirs.push(tmp);
    const leaves = Array.from({ length: 37 }, (_, i) => leaf(i));
    const file = FileSubtreeHashes.open(tmp.path, leaves);
    const memory = new MemorySubtreeHashes();
    leaves.forEach((l) => memory.append(l));
    try {
      expect(rootAt(file, 37)).toEqual(rootAt(memory, 37));
      expect(file.get(5, 0)).toEqual(memory.get(5, 0));
    } finally {
      file.close();
    }
  });
});
