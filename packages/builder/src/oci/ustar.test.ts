// SPDX-License-Identifier: Apache-2.0
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeHeader, paddingFor, paxRecord, splitUstarName } from './ustar.js';

describe('splitUstarName', () => {
  it('takes the longest prefix that fits, as GNU tar does', () => {
    const path = `${'a'.repeat(60)}/${'b'.repeat(60)}/${'c'.repeat(60)}`;
    expect(splitUstarName(path)).toEqual({
      prefix: `${'a'.repeat(60)}/${'b'.repeat(60)}`,
      name: 'c'.repeat(60),
    });
  });

  it('keeps the trailing slash of a directory in the name part', () => {
    const path = `${'a'.repeat(120)}/dir/`;
    expect(splitUstarName(path)).toEqual({ prefix: 'a'.repeat(120), name: 'dir/' });
  });

  it('gives up when no split fits', () => {
    expect(splitUstarName('x'.repeat(120))).toBeNull();
    expect(splitUstarName(`a/${'x'.repeat(101)}`)).toBeNull();
    expect(splitUstarName(`${'p'.repeat(156)}/name`)).toBeNull();
  });
});

describe('paxRecord', () => {
  it('counts its own length digits, across a digit boundary', () => {
    for (const value of ['', 'x'.repeat(3), 'x'.repeat(90), 'x'.repeat(93), 'x'.repeat(994)]) {
      const record = paxRecord('path', value);
      expect(Number(record.split(' ')[0])).toBe(Buffer.byteLength(record));
    }
  });
});

describe('encodeHeader', () => {
  it('writes one ustar block with a valid checksum, numeric ids and empty names', () => {
    const blocks = encodeHeader({
      name: 'etc/hostname',
      typeflag: '0',
      mode: 0o100644,
      uid: 0,
      gid: 0,
      size: 6,
      mtime: 1,
    });
    expect(blocks).toHaveLength(1);
    const block = Buffer.from(blocks[0]!);
    const text = (from: number, len: number) => block.subarray(from, from + len).toString('latin1');
    expect(text(100, 8)).toBe('0000644\0');
    expect(text(257, 8)).toBe('ustar\x0000');
    expect(text(265, 64)).toBe('\0'.repeat(64));
    const sum = [...block].reduce((s, b, i) => s + (i >= 148 && i < 156 ? 0x20 : b), 0);
    expect(text(148, 8)).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
  });

  it.skipIf(spawnSync('tar', ['--version']).status !== 0)(
    'matches GNU tar --format=ustar --numeric-owner byte for byte',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'ct-ustar-'));
      try {
        mkdirSync(join(dir, 'etc'));
        writeFileSync(join(dir, 'etc', 'hostname'), 'hello\n');
        chmodSync(join(dir, 'etc', 'hostname'), 0o644);
        execFileSync(
          'tar',
          [
            '--format=ustar',
            '--numeric-owner',
            '--owner=0',
            '--group=0',
            '--mtime=@1',
            '-cf',
            'g.tar',
            'etc/hostname',
          ],
          { cwd: dir },
        );
        const gnu = readFileSync(join(dir, 'g.tar')).subarray(0, 1024);
        const ours = Buffer.concat([
          ...encodeHeader({
            name: 'etc/hostname',
            typeflag: '0',
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 6,
            mtime: 1,
          }),
          Buffer.from('hello\n'),
          paddingFor(6),
        ]);
        expect(ours.equals(gnu)).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('puts values ustar cannot hold in one sorted PAX header before the member', () => {
    const blocks = encodeHeader({
      name: 'x'.repeat(101),
      typeflag: '2',
      mode: 0o777,
      uid: 2 ** 21,
      gid: 5,
      size: 0,
      mtime: 0,
      linkname: 'é',
    });
    expect(blocks).toHaveLength(3);
    const pax = Buffer.from(blocks[0]!);
    expect(String.fromCharCode(pax[156]!)).toBe('x');
    expect(Buffer.from(blocks[1]!).toString('utf8').replace(/\0+$/, '')).toBe(
      `${paxRecord('linkpath', 'é')}${paxRecord('path', 'x'.repeat(101))}${paxRecord('uid', '2097152')}`,
    );
    // The ustar fields hold best-effort ASCII values: truncated name, uid 0.
    const main = Buffer.from(blocks[2]!);
    expect(main.subarray(0, 100).toString('latin1')).toBe('x'.repeat(100));
    expect(main.subarray(108, 116).toString('latin1')).toBe('0000000\0');
  });

  it('rejects negative or fractional numbers', () => {
    expect(() =>
      encodeHeader({ name: 'f', typeflag: '0', mode: 0, uid: -1, gid: 0, size: 0, mtime: 0 }),
    ).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});
