// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { classifyLayerMember } from './layer-member.js';

const L = 'sha256:layer';

describe('classifyLayerMember', () => {
  it('maps plain members to their path components', () => {
    expect(classifyLayerMember('./usr/bin/env', L)).toEqual({
      kind: 'entry',
      parts: ['usr', 'bin', 'env'],
    });
    expect(classifyLayerMember('etc/', L)).toEqual({ kind: 'entry', parts: ['etc'] });
    expect(classifyLayerMember('./', L)).toEqual({ kind: 'root' });
  });

  it('maps OCI whiteouts to the path they delete and opaque markers to their directory', () => {
    expect(classifyLayerMember('etc/.wh.passwd', L)).toEqual({
      kind: 'whiteout',
      parts: ['etc', 'passwd'],
    });
    expect(classifyLayerMember('.wh.top', L)).toEqual({ kind: 'whiteout', parts: ['top'] });
    expect(classifyLayerMember('./var/cache/.wh..wh..opq', L)).toEqual({
      kind: 'opaque',
      parts: ['var', 'cache'],
    });
    expect(classifyLayerMember('.wh..wh..opq', L)).toEqual({ kind: 'opaque', parts: [] });
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', 'a\0b', 'etc/.wh..', 'etc/.wh.', 'x/.wh..wh.y'])(
    'refuses %j with MALFORMED_BUNDLE',
    (name) => {
      expect(() => classifyLayerMember(name, L)).toThrow(
        expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
      );
    },
  );
});
