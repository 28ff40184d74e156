// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { describe, expect, it } from 'vitest';
import { progressStream } from './ndjson-progress.js';

async function collect(gen: AsyncGenerator<string>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of gen) {
    expect(line.endsWith('\n')).toBe(true);
    out.push(JSON.parse(line));
  }
  return out;
}

describe('progressStream', () => {
  it('yields the progress lines, then done with the result', async () => {
    const lines = await collect(
      progressStream(async (p) => {
        p.begin('blob sha256:aa');
        p.advance('blob sha256:aa', 10, 100);
        p.end('blob sha256:aa', '100 B');
        p.note('manifest written');
        await Promise.resolve();
        return { digest: 'sha256:bb', signed: true };
      }),
    );
    expect(lines).toEqual([
      { status: 'start', id: 'blob sha256:aa' },
      { status: 'progress', id: 'blob sha256:aa', current: 10, total: 100 },
      { status: 'complete', id: 'blob sha256:aa', detail: '100 B' },
      { status: 'note', message: 'manifest written' },
      { status: 'done', digest: 'sha256:bb', signed: true },
    ]);
  });

  it('coalesces queued progress lines of one task', async () => {
    const lines = await collect(
      progressStream((p) => {
        p.advance('a', 1, 3);
        p.advance('a', 2, 3);
        p.advance('b', 1, 1);
        p.advance('a', 3, 3);
        return Promise.resolve({});
      }),
    );
    expect(lines).toEqual([
      { status: 'progress', id: 'a', current: 2, total: 3 },
      { status: 'progress', id: 'b', current: 1, total: 1 },
      { status: 'progress', id: 'a', current: 3, total: 3 },
      { status: 'done' },
    ]);
  });

  it('ends with the error object when the task fails', async () => {
    const lines = await collect(
      progressStream((p) => {
        p.begin('manifest');
        return Promise.reject(
          new VcError('IMAGE_NOT_FOUND', 'no such image', { hint: 'check the tag' }),
        );
      }),
    );
    expect(lines[0]).toEqual({ status: 'start', id: 'manifest' });
    expect(lines[1]).toMatchObject({
      error: { code: 'IMAGE_NOT_FOUND', message: 'no such image', hint: 'check the tag' },
    });
    expect(lines).toHaveLength(2);
  });
});
