// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { FileEntry } from '@verified-container/shared/image';
import { pack } from 'tar-stream';

type HeaderArgument = Parameters<ReturnType<typeof pack>['entry']>[0];
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryContentStore } from '../content/content-store.js';
import { applyLayer } from './layer-diff.js';
import { readLayer } from './layer-reader.js';

let dir: string;
let content: DirectoryContentStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-layer-reader-'));
  content = new DirectoryContentStore(join(dir, 'content'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A gzip'd tar of `members` (header, body). */
async function layer(members: readonly [HeaderArgument, string?][]): Promise<Readable> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c) => chunks.push(c as Buffer));
  const done = new Promise<void>((ok) => p.on('end', () => ok()));
  for (const [header, body] of members) {
    if (body === undefined) p.entry(header);
    else p.entry(header, body);
  }
  p.finalize();
  await done;
  return Readable.from([gzipSync(Buffer.concat(chunks))]);
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const paths = (t: ReadonlyMap<string, FileEntry>) => [...t.keys()];

describe('readLayer', () => {
  it('reads files (contents stored), directories, symlinks and hardlinks with owners and modes', async () => {
    const changes = await readLayer(
      await layer([
        [{ name: 'etc/', type: 'directory', mode: 0o755 }],
        [{ name: './etc/hostname', mode: 0o644, uid: 1, gid: 2, mtime: new Date(5000) }, 'box\n'],
        [{ name: 'etc/alias', type: 'link', linkname: 'etc/hostname' }],
        [{ name: 'bin', type: 'symlink', linkname: 'usr/bin' }],
      ]),
      'sha256:layer',
      content,
      new Map(),
    );
    expect(changes.entries).toMatchObject([
      { path: '/etc', type: 'd', mode: 0o755 },
      { path: '/etc/hostname', type: 'f', uid: 1, gid: 2, mtime: 5, digest: sha('box\n'), size: 4 },
      {
        path: '/etc/alias',
        type: 'f',
        digest: sha('box\n'),
        inodeKey: 'sha256:layer:/etc/hostname',
      },
      { path: '/bin', type: 'l', linkTarget: 'usr/bin', digest: sha('usr/bin') },
    ]);
    expect(changes.entries[1]!.inodeKey).toBe('sha256:layer:/etc/hostname');
    expect(Buffer.from(await content.read(sha('box\n'))).toString()).toBe('box\n');
  });

  it('turns whiteouts and opaque markers into removals of lower content', async () => {
    const f = (path: string): FileEntry => ({
      path,
      type: 'f',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: 0,
      digest: sha(''),
      mtime: 0,
    });
    const d = (path: string): FileEntry => ({ ...f(path), type: 'd', digest: '', mode: 0o755 });
    const lower = new Map(
      [d('/a'), f('/a/x'), f('/a/y'), d('/b'), f('/b/old'), f('/c')].map((e) => [e.path, e]),
    );
    const changes = await readLayer(
      await layer([
        [{ name: 'a/.wh.x', mode: 0 }, ''],
        [{ name: 'b/', type: 'directory', mode: 0o700 }],
        [{ name: 'b/.wh..wh..opq', mode: 0 }, ''],
        [{ name: 'b/new', mode: 0o644 }, ''],
        [{ name: '.wh.c', mode: 0 }, ''],
      ]),
      'sha256:upper',
      content,
      lower,
    );
    expect(changes.whiteouts).toEqual(['/a/x', '/c']);
    expect(changes.opaqueDirs).toEqual(['/b']);
    const merged = applyLayer(lower, changes.entries, changes.whiteouts, changes.opaqueDirs);
    expect(paths(merged)).toEqual(['/a', '/a/y', '/b', '/b/new']);
    expect(merged.get('/b')!.mode).toBe(0o700);
  });

  it('refuses names that climb out of the root and hardlinks to nothing earlier', async () => {
    await expect(
      readLayer(await layer([[{ name: '../etc/passwd' }, 'x']]), 'sha256:bad', content, new Map()),
    ).rejects.toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE', message: /escapes the root/ });
    await expect(
      readLayer(
        await layer([[{ name: 'a', type: 'link', linkname: 'missing' }]]),
        'sha256:bad',
        content,
        new Map(),
      ),
    ).rejects.toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE', message: /not an earlier file/ });
  });

  it('a truncated layer is BUILD_ARCHIVE_UNSAFE', async () => {
    const whole = gzipSync(Buffer.alloc(4096, 1));
    await expect(
      readLayer(Readable.from([whole.subarray(0, 40)]), 'sha256:cut', content, new Map()),
    ).rejects.toMatchObject({ code: 'BUILD_ARCHIVE_UNSAFE' });
  });
});
