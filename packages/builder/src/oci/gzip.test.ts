// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { GZIP_HEADER, createDeterministicGzip, gzipBytes } from './gzip.js';

async function gzipStream(chunks: Uint8Array[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    ...createDeterministicGzip(),
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

describe('deterministic gzip', () => {
  const data = Buffer.concat([randomBytes(100_000), Buffer.alloc(200_000, 'a')]);

  it('starts with 1f 8b 08 00 00 00 00 00 00 03', async () => {
    expect([...GZIP_HEADER]).toEqual([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);
    expect((await gzipStream([data])).subarray(0, 10)).toEqual(Buffer.from(GZIP_HEADER));
    expect([...gzipBytes(data).subarray(0, 10)]).toEqual([...GZIP_HEADER]);
  });

  it('round-trips and equals plain zlib level 6 apart from the header', async () => {
    const out = await gzipStream([data]);
    expect(gunzipSync(out).equals(data)).toBe(true);
    expect(out.subarray(10).equals(gzipSync(data, { level: 6 }).subarray(10))).toBe(true);
  });

  it('does not depend on how the input is chunked', async () => {
    const whole = await gzipStream([data]);
    const pieces: Buffer[] = [];
    for (let i = 0; i < data.length; i += 777) pieces.push(data.subarray(i, i + 777));
    expect((await gzipStream(pieces)).equals(whole)).toBe(true);
    expect(Buffer.from(gzipBytes(data)).equals(whole)).toBe(true);
  });

  it('patches a header split across chunks', async () => {
    const foreign = gzipSync(Buffer.from('x'));
    foreign[9] = 19; // as a macOS zlib would write it
    const [, patch] = createDeterministicGzip();
    const out: Buffer[] = [];
    await pipeline(
      Readable.from([...foreign].map((b) => Buffer.of(b))),
      patch,
      new Writable({
        write(chunk: Buffer, _e, done) {
          out.push(chunk);
          done();
        },
      }),
    );
    const bytes = Buffer.concat(out);
    expect(bytes.subarray(0, 10)).toEqual(Buffer.from(GZIP_HEADER));
    expect(gunzipSync(bytes).toString()).toBe('x');
  });
});
