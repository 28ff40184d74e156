// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { compare } from './rebuild.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const expected = { imageDigest: d('a'), configDigest: d('c'), diffIds: [d('1'), d('2')] };

describe('compare (04 §7)', () => {
  it('the same config and diff_ids are reproduced, whatever the image digest', () => {
    expect(compare(expected, { ...expected, imageDigest: d('b') })).toEqual({
      outcome: { kind: 'reproduced', imageDigest: d('b') },
      rebuiltDigest: d('b'),
    });
  });

  it('names both image digests and the first differing layer', () => {
    const r = compare(expected, { ...expected, imageDigest: d('b'), diffIds: [d('1'), d('3')] });
    expect(r.outcome).toEqual({
      kind: 'differs',
      message: `the rebuilt image ${d('b')} is not ${d('a')}: layer 1 differs: diff_id ${d('3')}, expected ${d('2')}`,
    });
  });

  it('a missing layer and a different config', () => {
    const fewer = compare(expected, { ...expected, diffIds: [d('1')] });
    expect(fewer.outcome.kind === 'differs' && fewer.outcome.message).toContain(
      `layer 1 differs: diff_id (none), expected ${d('2')}`,
    );
    const config = compare(expected, { ...expected, configDigest: d('e') });
    expect(config.outcome.kind === 'differs' && config.outcome.message).toContain(
      'config sha256:eeee…eeee differs from sha256:cccc…cccc',
    );
  });
});
