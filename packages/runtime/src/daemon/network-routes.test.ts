// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { describe, expect, it } from 'vitest';
import { networkCreateOptions } from './network-routes.js';
import { pullBody, pushBody } from './registry-routes.js';

const now = new Date('2026-01-02T03:04:05Z');

function thrown(fn: () => unknown): VcError {
  try {
    fn();
  } catch (err) {
    if (err instanceof VcError) return err as VcError;
    throw err;
  }
  throw new Error('expected a VcError');
}

describe('networkCreateOptions', () => {
  it('turns a full body into network create options', () => {
    expect(
      networkCreateOptions(
        {
          name: 'web',
          internal: true,
          subnet: '10.89.42.0/24',
          gateway: '10.89.42.1',
          labels: { tier: 'front' },
        },
        now,
      ),
    ).toEqual({
      name: 'web',
      internal: true,
      subnet: '10.89.42.0/24',
      gateway: '10.89.42.1',
      labels: { tier: 'front' },
      now,
    });
  });

  it('leaves out what the body leaves out', () => {
    expect(networkCreateOptions({ name: 'web', internal: false }, now)).toEqual({
      name: 'web',
      labels: {},
      now,
    });
  });

  it('collects every problem of a bad body', () => {
    const err = thrown(() =>
      networkCreateOptions({ internal: 'yes', subnet: 7, colour: 'blue' }, now),
    );
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.errors?.map((e) => e.path).sort()).toEqual([
      '$.colour',
      '$.internal',
      '$.name',
      '$.subnet',
    ]);
  });

  it('refuses a body that is not an object and labels that are not strings', () => {
    expect(thrown(() => networkCreateOptions(['web'], now)).code).toBe('VALIDATION_FAILED');
    expect(thrown(() => networkCreateOptions({ name: 'web', labels: { a: 1 } }, now)).code).toBe(
      'VALIDATION_FAILED',
    );
  });
});

describe('pull and push bodies', () => {
  it('accept ref, and ref with dest', () => {
    expect(pullBody({ ref: '127.0.0.1:5000/a/b:1' })).toEqual({ ref: '127.0.0.1:5000/a/b:1' });
    expect(pushBody({ ref: 'b:1', dest: '127.0.0.1:5000/a/b:1' })).toEqual({
      ref: 'b:1',
      dest: '127.0.0.1:5000/a/b:1',
    });
  });

  it('refuse a missing ref or dest and unknown fields', () => {
    expect(thrown(() => pullBody({})).code).toBe('VALIDATION_FAILED');
    expect(thrown(() => pullBody({ ref: 'a', tlsVerify: false })).code).toBe('VALIDATION_FAILED');
    expect(thrown(() => pushBody({ ref: 'a' })).errors?.[0]?.path).toBe('$.dest');
  });
});
