// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecordText } from './record-file.js';

describe('readRecordText', () => {
  const dir = mkdtempSync(join(tmpdir(), 'record-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a record, and a missing one is undefined', async () => {
    writeFileSync(join(dir, 'a.json'), '{}\n');
    expect(await readRecordText(join(dir, 'a.json'))).toBe('{}\n');
    expect(await readRecordText(join(dir, 'missing.json'))).toBeUndefined();
  });

  it('any other failure is READ_FAILED naming the path', async () => {
    await expect(readRecordText(dir)).rejects.toMatchObject({
      code: 'READ_FAILED',
      message: `cannot read ${dir}`,
    });
  });
});
