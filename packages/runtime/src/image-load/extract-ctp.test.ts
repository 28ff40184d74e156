// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, promises as fs, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { pack as tarPack } from 'tar-stream';
import { extractCtp, extractCtpToTemp } from './extract-ctp.js';
import { planRefs } from './load-image.js';

const dir = mkdtempSync(join(tmpdir(), 'vordr-ctp-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Entry = { name: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string };

async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const p = tarPack();
  for (const e of entries) {
    if ((e.type ?? 'file') === 'file') p.entry({ name: e.name }, `content of ${e.name}`);
    else p.entry({ ...e, size: 0 });
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let n = 0;
async function packageFile(entries: readonly Entry[], gzip = true): Promise<string> {
  const path = join(dir, `p${n++}.ctp`);
  const tar = await tarOf(entries);
  await fs.writeFile(path, gzip ? gzipSync(tar) : tar);
  return path;
}

describe('extractCtp (02 §3)', () => {
  it('extracts gzip and plain tars, with or without ./', async () => {
    for (const gzip of [true, false]) {
      const path = await packageFile(
        [{ name: './manifest.toml' }, { name: 'oci-layout/index.json' }],
        gzip,
      );
      const into = join(dir, `out${n}`);
      const got = await extractCtp(path, into);
      expect(got.files).toEqual(['manifest.toml', 'oci-layout/index.json']);
      expect(await fs.readFile(join(into, 'oci-layout', 'index.json'), 'utf8')).toBe(
        'content of oci-layout/index.json',
      );
      expect((await fs.stat(into)).mode & 0o777).toBe(0o700);
    }
  });

  it.each([
    ['a `..` entry', [{ name: 'a/../../x' }]],
    ['a symlink leaving the package', [{ name: 'l', type: 'symlink', linkname: '../x' }]],
    ['a duplicate', [{ name: 'a' }, { name: './a' }]],
  ] as [string, Entry[]][])(
    'refuses %s and removes the temporary directory',
    async (_w, entries) => {
      const path = await packageFile(entries);
      const parent = mkdtempSync(join(dir, 'tmp-'));
      await expect(extractCtpToTemp(path, { parent })).rejects.toMatchObject({
        code: 'MALFORMED_BUNDLE',
      });
      expect(await fs.readdir(parent)).toEqual([]);
    },
  );

  it('refuses a file that is not a tar', async () => {
    const path = join(dir, 'text.ctp');
    await fs.writeFile(path, '[package]\nname = "x"\n');
    await expect(extractCtp(path, join(dir, 'never'))).rejects.toMatchObject({
      code: 'MALFORMED_BUNDLE',
    });
  });
});

describe('planRefs', () => {
  const image = (ref?: string) => ({
    ...(ref !== undefined ? { ref } : {}),
    manifest: { mediaType: 'm', digest: `sha256:${'1'.repeat(64)}`, size: 1 },
    blobs: [],
  });

  it('names an image by its ref name and --tag; an unnamed image needs --tag', () => {
    expect(planRefs([image('a/b:1')], ['c:2'], 'x').map((p) => p.refs)).toEqual([['a/b:1', 'c:2']]);
    expect(() => planRefs([image()], [], 'x')).toThrow(/has no name/);
    expect(() => planRefs([image('a:1'), image('b:1')], ['c:2'], 'x')).toThrow(/single image/);
  });
});
