// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseImageReference } from './image-reference.js';

describe('parseImageReference', () => {
  it('reads name:tag, name and name@digest', () => {
    expect(parseImageReference('cerro-torre/mariadb:11.2')).toEqual({
      kind: 'tag',
      name: 'cerro-torre/mariadb',
      tag: '11.2',
    });
    expect(parseImageReference('php-aegis-wordpress')).toEqual({
      kind: 'tag',
      name: 'php-aegis-wordpress',
      tag: 'latest',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`a/b@${digest}`)).toEqual({ kind: 'digest', name: 'a/b', digest });
  });

  it('rejects malformed references with INVALID_REFERENCE', () => {
    for (const ref of [
      '',
      'UPPER:1',
      'a:',
      'a:b:c',
      'a@sha256:12',
      '-a',
      'a//b',
      `a:${'t'.repeat(129)}`,
    ]) {
      expect(() => parseImageReference(ref), ref).toThrow(
        expect.objectContaining({ code: 'INVALID_REFERENCE' }),
      );
    }
  });
});
