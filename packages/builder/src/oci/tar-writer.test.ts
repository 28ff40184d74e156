// SPDX-License-Identifier: Apache-2.0
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import type { FileEntry } from '@verified-container/shared/image';
import tar, { type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { GZIP_HEADER } from './gzip.js';
import { tarLayer, writeLayer, type ContentSource } from './tar-writer.js';

const EPOCH = 1_700_000_000;

function memoryContent(...blobs: string[]): { source: ContentSource; hex: (s: string) => string } {
  const byHex = new Map<string, Buffer>();
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');
  for (const b of blobs) byHex.set(hex(b), Buffer.from(b));
  return {
    hex,
    source: {
      open: (digest) => {
        const bytes = byHex.get(digest);
        if (bytes === undefined) throw new Error(`no content ${digest}`);
        return Readable.from([bytes]);
      },
    },
  };
}

const { source: content, hex } = memoryContent('hello\n', 'root:x:0:0::/root:/bin/sh\n');

function file(path: string, text: string, extra: Partial<FileEntry> = {}): FileEntry {
  return {
    path,
    type: 'f',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: Buffer.byteLength(text),
    digest: hex(text),
    mtime: 1000,
    ...extra,
  };
}

function node(path: string, type: FileEntry['type'], extra: Partial<FileEntry> = {}): FileEntry {
  return { path, type, mode: 0o755, uid: 0, gid: 0, size: 0, digest: '', mtime: 1000, ...extra };
}

async function collect(iter: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of iter) parts.push(c);
  return Buffer.concat(parts);
}

async function readTar(bytes: Buffer) {
  const extract = tar.extract();
  const out: { header: Header; data: string }[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const data = await collect(entry as unknown as AsyncIterable<Uint8Array>);
      out.push({ header: entry.header, data: data.toString('utf8') });
    }
  })();
  extract.end(bytes);
  await done;
  return out;
}

const longDir = `/${'a'.repeat(80)}/${'b'.repeat(60)}`;
const sample: FileEntry[] = [
  file('/etc/passwd', 'root:x:0:0::/root:/bin/sh\n', { mtime: EPOCH + 500 }),
  node('/etc', 'd', { mtime: 10 }),
  node('/etc/alias', 'l', { mode: 0o777, size: 6, linkTarget: 'passwd' }),
  file('/bin/a', 'hello\n', { inodeKey: 'ino-1', mode: 0o4755 }),
  file('/bin/b', 'hello\n', { inodeKey: 'ino-1', mode: 0o4755 }),
  node('/dev/null', 'c', { mode: 0o666, devMajor: 1, devMinor: 3 }),
  node('/dev/sda', 'b', { mode: 0o660, gid: 6, devMajor: 8, devMinor: 0 }),
  node('/run/fifo', 'p', { mode: 0o600 }),
  file(`${longDir}/${'c'.repeat(99)}`, 'hello\n', { uid: 1000, gid: 1000 }),
  file(`/${'x'.repeat(120)}`, 'hello\n'),
  file('/home/ünïcode', 'hello\n', { uid: 4_000_000 }),
  node('/lnk', 'l', { mode: 0o777, linkTarget: `/${'t'.repeat(150)}` }),
];

async function sampleTar(entries = sample): Promise<Buffer> {
  return collect(
    tarLayer(
      { entries, whiteouts: ['/etc/shadow'], opaqueDirs: ['/var/cache'] },
      { content, sourceDateEpoch: EPOCH },
    ),
  );
}

describe('tarLayer', () => {
  it('sorts by path bytes, parents first, and adds missing parents as 0755 0:0', async () => {
    const names = (await readTar(await sampleTar())).map((e) => e.header.name);
    expect(names).toEqual([
      `${'a'.repeat(80)}/`,
      `${'a'.repeat(80)}/${'b'.repeat(60)}/`,
      `${longDir.slice(1)}/${'c'.repeat(99)}`,
      'bin/',
      'bin/a',
      'bin/b',
      'dev/',
      'dev/null',
      'dev/sda',
      'etc/',
      'etc/.wh.shadow',
      'etc/alias',
      'etc/passwd',
      'home/',
      'home/ünïcode',
      'lnk',
      'run/',
      'run/fifo',
      'var/',
      'var/cache/',
      'var/cache/.wh..wh..opq',
      'x'.repeat(120),
    ]);
  });

  it('writes types, modes, numeric owners, links, devices and whiteouts', async () => {
    const entries = new Map((await readTar(await sampleTar())).map((e) => [e.header.name, e]));
    const h = (name: string) => entries.get(name)!.header;
    expect(h('bin/')).toMatchObject({ type: 'directory', mode: 0o755, uid: 0, gid: 0 });
    expect(h('bin/a')).toMatchObject({ type: 'file', mode: 0o4755, size: 6 });
    expect(entries.get('bin/a')!.data).toBe('hello\n');
    expect(h('bin/b')).toMatchObject({ type: 'link', linkname: 'bin/a', size: 0 });
    expect(h('etc/alias')).toMatchObject({ type: 'symlink', linkname: 'passwd', mode: 0o777 });
    expect(h('dev/null')).toMatchObject({ type: 'character-device', devmajor: 1, devminor: 3 });
    expect(h('dev/sda')).toMatchObject({ type: 'block-device', devmajor: 8, gid: 6 });
    expect(h('run/fifo')).toMatchObject({ type: 'fifo', mode: 0o600 });
    for (const wh of ['etc/.wh.shadow', 'var/cache/.wh..wh..opq']) {
      expect(h(wh)).toMatchObject({ type: 'file', mode: 0, uid: 0, gid: 0, size: 0 });
    }
    // tar-stream leaves PAX uid/gid to the caller; GNU tar applies it (see below).
    expect((h('home/ünïcode') as { pax?: Record<string, string> }).pax).toEqual({
      path: 'home/ünïcode',
      uid: '4000000',
    });
    expect(h('lnk').linkname).toBe(`/${'t'.repeat(150)}`);
    for (const e of entries.values()) {
      expect(e.header.uname).toBe('');
      expect(e.header.gname).toBe('');
    }
  });

  it('clamps mtimes to the epoch', async () => {
    const entries = new Map((await readTar(await sampleTar())).map((e) => [e.header.name, e]));
    expect(entries.get('etc/passwd')!.header.mtime.getTime() / 1000).toBe(EPOCH);
    expect(entries.get('etc/')!.header.mtime.getTime() / 1000).toBe(10);
    expect(entries.get('bin/')!.header.mtime.getTime() / 1000).toBe(EPOCH);
  });

  it('uses PAX headers only where ustar cannot hold a value', async () => {
    const bytes = await sampleTar();
    const typeflags: { name: string; flag: string }[] = [];
    for (let off = 0; off + 512 <= bytes.length;) {
      const block = bytes.subarray(off, off + 512);
      if (block.every((b) => b === 0)) break;
      const size = parseInt(block.subarray(124, 135).toString('latin1'), 8);
      const flag = String.fromCharCode(block[156]!);
      const name = block.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
      const prefix = block.subarray(345, 500).toString('latin1').replace(/\0.*$/s, '');
      typeflags.push({ name: prefix ? `${prefix}/${name}` : name, flag });
      off += 512 + Math.ceil(size / 512) * 512;
    }
    const paxFor = typeflags.flatMap((t, i) => (t.flag === 'x' ? [typeflags[i + 1]!.name] : []));
    // Long path split into prefix/name needs none; a 120-byte single component, a non-ASCII
    // name, a uid above 7 octal digits and a 151-byte link target do.
    expect(paxFor.sort()).toEqual(['home/ncode', 'lnk', 'x'.repeat(100)].sort());
    expect(typeflags.map((t) => t.name)).toContain(`${longDir.slice(1)}/${'c'.repeat(99)}`);
  });

  it('ends with exactly two zero blocks', async () => {
    const bytes = await sampleTar();
    expect(bytes.length % 512).toBe(0);
    expect(bytes.subarray(-1024).every((b) => b === 0)).toBe(true);
    // The block before the end marker is the last member's (the last entry is a file's content).
    expect(bytes.subarray(-1536, -1024).some((b) => b !== 0)).toBe(true);
  });

  it('gives identical bytes for the same table in any order', async () => {
    const a = await sampleTar();
    const b = await sampleTar([...sample].reverse());
    expect(b.equals(a)).toBe(true);
  });

  it('takes unchanged ancestors from the tree, keeping their mode and owner', async () => {
    const tree = new Map([['/tmp', node('/tmp', 'd', { mode: 0o1777, mtime: EPOCH + 9 })]]);
    const bytes = await collect(
      tarLayer({ entries: [], whiteouts: ['/tmp/x'], tree }, { content, sourceDateEpoch: EPOCH }),
    );
    const [dir] = await readTar(bytes);
    expect(dir!.header).toMatchObject({ name: 'tmp/', mode: 0o1777 });
    expect(dir!.header.mtime.getTime() / 1000).toBe(EPOCH);
  });

  it('refuses content whose size differs from the table', async () => {
    const wrong = file('/f', 'hello\n', { size: 7 });
    await expect(
      collect(tarLayer({ entries: [wrong] }, { content, sourceDateEpoch: EPOCH })),
    ).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
  });

  it('refuses entries named like whiteouts', async () => {
    await expect(
      collect(tarLayer({ entries: [file('/.wh.x', 'hello\n')] }, { content, sourceDateEpoch: 0 })),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it.skipIf(spawnSync('tar', ['--version']).status !== 0)('is read by GNU tar', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-tar-'));
    try {
      writeFileSync(join(dir, 'layer.tar'), await sampleTar());
      const listing = execFileSync('tar', ['--numeric-owner', '-tvf', join(dir, 'layer.tar')], {
        env: { ...process.env, TZ: 'UTC', LC_ALL: 'C.UTF-8' },
      }).toString('utf8');
      const lines = listing.trim().split('\n');
      expect(lines).toHaveLength(22);
      expect(lines).toContainEqual(expect.stringMatching(/^-rwsr-xr-x 0\/0 +6 .* bin\/a$/));
      expect(lines).toContainEqual(
        expect.stringMatching(/^hrwsr-xr-x 0\/0 +0 .* bin\/b link to bin\/a$/),
      );
      expect(lines).toContainEqual(expect.stringMatching(/^crw-rw-rw- 0\/0 +1,3 .* dev\/null$/));
      expect(lines).toContainEqual(
        expect.stringMatching(/^lrwxrwxrwx 0\/0 .* etc\/alias -> passwd$/),
      );
      expect(lines).toContainEqual(expect.stringMatching(/^prw------- 0\/0 .* run\/fifo$/));
      expect(lines).toContainEqual(
        expect.stringMatching(/^-rw-r--r-- 4000000\/0 .* home\/ünïcode$/),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(/^-rw-r--r-- 0\/0 .* 2023-11-14 22:13 etc\/passwd$/),
      );
      expect(lines).toContainEqual(expect.stringContaining(`lnk -> /${'t'.repeat(150)}`));
      expect(lines).toContainEqual(expect.stringContaining(`${'c'.repeat(99)}`));
      expect(lines).toContainEqual(expect.stringMatching(/^---------- 0\/0 .* etc\/\.wh\.shadow$/));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writeLayer', () => {
  async function pack(entries = sample) {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk);
        done();
      },
    });
    const packed = await writeLayer(
      { entries, whiteouts: ['/etc/shadow'], opaqueDirs: ['/var/cache'] },
      { content, sourceDateEpoch: EPOCH },
      sink,
    );
    return { packed, blob: Buffer.concat(chunks) };
  }

  it('computes diffID and digest in one pass over a deterministic gzip blob', async () => {
    const { packed, blob } = await pack();
    const tarBytes = await sampleTar();
    expect(blob.subarray(0, 10)).toEqual(Buffer.from(GZIP_HEADER));
    expect(gunzipSync(blob).equals(tarBytes)).toBe(true);
    expect(packed).toEqual({
      mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
      diffId: `sha256:${createHash('sha256').update(tarBytes).digest('hex')}`,
      digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`,
      size: blob.length,
      tarSize: tarBytes.length,
    });
  });

  it('is reproducible: the same table gives the same diffID and digest', async () => {
    const a = await pack();
    const b = await pack([...sample].reverse());
    expect(b.packed).toEqual(a.packed);
    expect(b.blob.equals(a.blob)).toBe(true);
  });

  it('streams: a 300 MB file is never held in memory', async () => {
    const size = 300 * 1024 * 1024;
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let peak = 0;
    const big: ContentSource = {
      open: () =>
        Readable.from(
          (function* () {
            for (let sent = 0; sent < size; sent += chunk.length) {
              peak = Math.max(peak, process.memoryUsage().arrayBuffers);
              yield chunk;
            }
          })(),
        ),
    };
    const before = process.memoryUsage().arrayBuffers;
    const sink = new Writable({ write: (_c, _e, done) => done() });
    const entry: FileEntry = { ...file('/big', ''), size, digest: 'f'.repeat(64) };
    const packed = await writeLayer(
      { entries: [entry] },
      { content: big, sourceDateEpoch: 0 },
      sink,
    );
    expect(packed.tarSize).toBe(512 + size + 1024);
    expect(peak - before).toBeLessThan(128 * 1024 * 1024);
  });
});
