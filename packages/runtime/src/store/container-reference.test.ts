// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { isContainerId, newContainerId, shortId } from './container-id.js';
import { resolveContainerReference } from './container-reference.js';

const A = `abc123${'0'.repeat(58)}`;
const B = `abc124${'1'.repeat(58)}`;
// A container whose name is the full id of another: the id still wins.
const C = { id: `def${'2'.repeat(61)}`, name: A };
const containers = [{ id: A, name: 'web' }, { id: B, name: 'abc124' }, C];

describe('container ids', () => {
  it('are 64 lowercase hex from 32 random bytes, shown as 12', () => {
    const id = newContainerId();
    expect(isContainerId(id)).toBe(true);
    expect(newContainerId(() => new Uint8Array(32).fill(0xab))).toBe('ab'.repeat(32));
    expect(shortId(id)).toBe(id.slice(0, 12));
  });
});

describe('resolveContainerReference', () => {
  it('resolves full id, then exact name, then a unique id prefix', () => {
    expect(resolveContainerReference(A, containers).id).toBe(A);
    expect(resolveContainerReference('web', containers).id).toBe(A);
    // "abc124" is both a name and a prefix of B's id: the name is found first (same container here).
    expect(resolveContainerReference('abc124', containers).id).toBe(B);
    expect(resolveContainerReference('def', containers)).toBe(C);
  });

  it('lists every match of an ambiguous prefix (AMBIGUOUS_REFERENCE)', () => {
    expect(() => resolveContainerReference('abc12', containers)).toThrow(
      expect.objectContaining({
        code: 'AMBIGUOUS_REFERENCE',
        details: {
          matches: [
            { id: A, name: 'web' },
            { id: B, name: 'abc124' },
          ],
        },
      }),
    );
  });

  it('gives CONTAINER_NOT_FOUND when nothing matches', () => {
    for (const ref of ['nope', 'fff', '']) {
      expect(() => resolveContainerReference(ref, containers)).toThrow(
        expect.objectContaining({ code: 'CONTAINER_NOT_FOUND' }),
      );
    }
  });
});
