// SPDX-License-Identifier: Apache-2.0
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support.js';
import { LARGE_BLOB_BYTES, withProgress } from './blob-progress.js';
import { checkOutput, publishDirectory, publishFile } from './output-target.js';

describe('checkOutput', () => {
  it('accepts a new path and, for a directory, an empty directory', async () => {
    using dir = tempDir();
    await checkOutput(join(dir.path, 'sub', 'out.tar'), 'file');
    expect(existsSync(join(dir.path, 'sub'))).toBe(false);
    mkdirSync(join(dir.path, 'empty'));
    await checkOutput(join(dir.path, 'empty'), 'directory');
  });

  it('refuses an existing file, a non-empty directory, and any directory for a file', async () => {
    using dir = tempDir();
    writeFileSync(join(dir.path, 'f'), 'x');
    mkdirSync(join(dir.path, 'full'));
    writeFileSync(join(dir.path, 'full', 'x'), 'x');
    mkdirSync(join(dir.path, 'empty'));
    for (const [path, kind] of [
      ['f', 'file'],
      ['f', 'directory'],
      ['full', 'directory'],
      ['empty', 'file'],
    ] as const) {
      await expect(checkOutput(join(dir.path, path), kind)).rejects.toMatchObject({
        code: 'FILE_EXISTS',
      });
    }
  });
});

describe('publishFile and publishDirectory', () => {
  it('publish only complete results and leave no temporary files', async () => {
    using dir = tempDir();
    const file = join(dir.path, 'out.tar');
    await publishFile(file, (tmp) => Promise.resolve(writeFileSync(tmp, 'done')));
    expect(readFileSync(file, 'utf8')).toBe('done');
    // The parent of the output is made when missing.
    await publishFile(join(dir.path, 'sub', 'x'), (tmp) => Promise.resolve(writeFileSync(tmp, '')));
    rmSync(join(dir.path, 'sub'), { recursive: true });
    await expect(
      publishFile(join(dir.path, 'failed.tar'), (tmp) => {
        writeFileSync(tmp, 'half');
        return Promise.reject(new Error('boom'));
      }),
    ).rejects.toThrow('boom');
    expect(readdirSync(dir.path)).toEqual(['out.tar']);
  });

  it('never replaces a file that appeared while writing', async () => {
    using dir = tempDir();
    const file = join(dir.path, 'out.tar');
    await expect(
      publishFile(file, (tmp) => {
        writeFileSync(tmp, 'new');
        writeFileSync(file, 'someone else');
        return Promise.resolve();
      }),
    ).rejects.toMatchObject({ code: 'FILE_EXISTS' });
    expect(readFileSync(file, 'utf8')).toBe('someone else');
  });

  it('renames a directory over an empty one, never over a full one', async () => {
    using dir = tempDir();
    const out = join(dir.path, 'layout');
    mkdirSync(out);
    await publishDirectory(out, (tmp) =>
      Promise.resolve(writeFileSync(join(tmp, 'index.json'), '{}')),
    );
    expect(readdirSync(out)).toEqual(['index.json']);
    await expect(
      publishDirectory(out, (tmp) => Promise.resolve(writeFileSync(join(tmp, 'other'), '{}'))),
    ).rejects.toMatchObject({ code: 'FILE_EXISTS' });
    expect(readdirSync(dir.path)).toEqual(['layout']);
  });
});

describe('withProgress', () => {
  it('reports large blobs only', async () => {
    const lines: string[] = [];
    const progress = {
      begin: (t: string) => lines.push(`begin ${t}`),
      advance: () => undefined,
      end: (t: string) => lines.push(`end ${t}`),
      note: () => undefined,
    };
    const drain = async (size: number) => {
      let n = 0;
      const source = (async function* () {
        yield await Promise.resolve(new Uint8Array(size));
      })();
      for await (const c of withProgress(source, 'copy', size, progress)) {
        n += c.byteLength;
      }
      return n;
    };
    expect(await drain(10)).toBe(10);
    expect(lines).toEqual([]);
    expect(await drain(LARGE_BLOB_BYTES)).toBe(LARGE_BLOB_BYTES);
    expect(lines).toEqual(['begin copy', 'end copy']);
  });
});
