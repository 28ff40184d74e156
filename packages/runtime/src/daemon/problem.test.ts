// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { VcError } from '@verified-container/shared';
import { toProblem } from './problem.js';

describe('toProblem', () => {
  it('maps codes to the statuses of 00 §7', () => {
    const cases: [string, number][] = [
      ['CONTAINER_NOT_FOUND', 404],
      ['AMBIGUOUS_REFERENCE', 409],
      ['CONTAINER_RUNNING', 409],
      ['VALIDATION_FAILED', 400],
      ['USAGE', 400],
      ['THRESHOLD_NOT_MET', 403],
      ['MALFORMED_BUNDLE', 422],
      ['LOG_UNAVAILABLE', 503],
      ['STORE_LOCKED', 503],
      ['PAYLOAD_TOO_LARGE', 413],
      ['UNSUPPORTED_MEDIA_TYPE', 415],
      ['METHOD_NOT_ALLOWED', 405],
      ['TIMEOUT', 504],
      ['RUNTIME_ERROR', 500],
    ];
    for (const [code, status] of cases) {
      expect(toProblem(new VcError(code, 'x')).status, code).toBe(status);
    }
  });

  it('writes the RFC 9457 members with code, hint, details and errors', () => {
    const err = new VcError('IMAGE_NOT_FOUND', 'image "a:1" is not in the store', {
      hint: 'load it',
      details: { ref: 'a:1' },
      errors: [{ code: 'IMAGE_NOT_FOUND', message: 'm' }],
    });
    expect(toProblem(err, '/v1/containers')).toEqual({
      type: 'urn:verified-container:error:IMAGE_NOT_FOUND',
      title: 'Not Found',
      status: 404,
      detail: 'image "a:1" is not in the store',
      code: 'IMAGE_NOT_FOUND',
      hint: 'load it',
      details: { ref: 'a:1' },
      errors: [{ code: 'IMAGE_NOT_FOUND', message: 'm' }],
      instance: '/v1/containers',
    });
  });

  it('anything else is a 500 INTERNAL without a stack', () => {
    const p = toProblem(new Error('boom'));
    expect(p).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'boom' });
    expect(JSON.stringify(p)).not.toContain('at ');
  });
});
