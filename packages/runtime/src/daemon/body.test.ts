// SPDX-License-Identifier: Apache-2.0
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_BODY, parseJsonBody, queryBool, readBody, validateBody } from './body.js';

describe('request bodies', () => {
  it('needs application/json (415 otherwise) and valid JSON', () => {
    expect(parseJsonBody('application/json; charset=utf-8', Buffer.from('{"a":1}'))).toEqual({
      a: 1,
    });
    expect(() => parseJsonBody('text/plain', Buffer.from('{}'))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
    expect(() => parseJsonBody(undefined, Buffer.from('{}'))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }),
    );
    expect(() => parseJsonBody('application/json', Buffer.from('{'))).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(parseJsonBody(undefined, Buffer.alloc(0), { emptyAsObject: true })).toEqual({});
  });

  it('refuses more than 1 MiB with PAYLOAD_TOO_LARGE', async () => {
    const big = Readable.from([Buffer.alloc(MAX_JSON_BODY), Buffer.alloc(1)]);
    await expect(readBody(big)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await readBody(Readable.from([Buffer.from('ok')]))).toString()).toBe('ok');
  });

  it('collects every schema problem: unknown fields, missing ones, wrong kinds', () => {
    const schema = {
      required: ['image'],
      fields: { image: 'string', env: 'string-map', cmd: 'string[]', n: 'integer' },
    } as const;
    expect(validateBody({ image: 'a', env: { K: 'v' }, cmd: ['x'], n: 2 }, schema)).toEqual({
      image: 'a',
      env: { K: 'v' },
      cmd: ['x'],
      n: 2,
    });
    let thrown: unknown;
    try {
      validateBody({ colour: 'red', env: { K: 1 }, cmd: 'x', n: 1.5 }, schema);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((thrown as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      '$.colour',
      '$.env',
      '$.cmd',
      '$.n',
      '$.image',
    ]);
    expect(() => validateBody([], schema)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('reads boolean query parameters', () => {
    const q = new URLSearchParams('a=1&b=false&c=yes');
    expect(queryBool(q, 'a')).toBe(true);
    expect(queryBool(q, 'b')).toBe(false);
    expect(queryBool(q, 'missing')).toBe(false);
    expect(() => queryBool(q, 'c')).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});
