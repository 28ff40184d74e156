// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { FileIntegrityRow } from '@verified-container/shared/image';
import {
  compareFileIntegrity,
  fileIntegrityRows,
  isMountRelated,
  type ObservedEntry,
} from './file-integrity.js';

const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);
const ROWS: FileIntegrityRow[] = [
  ['/bin', 'd', '0755', 0, 0, 0, ''],
  ['/bin/sh', 'l', '0777', 0, 0, 7, D2],
  ['/etc', 'd', '0755', 0, 0, 0, ''],
  ['/etc/greeting', 'f', '0644', 0, 0, 17, D1],
];

function seen(row: FileIntegrityRow, over: Partial<ObservedEntry> = {}): ObservedEntry {
  const [path, type, mode, uid, gid, size, digest] = row;
  return { path, type, mode: parseInt(mode, 8), uid, gid, size, digest, ...over };
}

function observation(
  over: Map<string, ObservedEntry | undefined> = new Map(),
  added: ObservedEntry[] = [],
) {
  const listed = new Map<string, ObservedEntry | undefined>(ROWS.map((r) => [r[0], seen(r)]));
  for (const [k, v] of over) listed.set(k, v);
  return { listed, added, hashed: 1 };
}

const MOUNTS = ['/proc', '/etc/hosts', '/data', '/var/tmp'];

describe('fileIntegrityRows', () => {
  it('takes a 02 §6 predicate and refuses other shapes', () => {
    const predicate = {
      algorithm: 'sha256',
      fields: ['path', 'type', 'mode', 'uid', 'gid', 'size', 'digest'],
      entries: ROWS,
    };
    expect(fileIntegrityRows(predicate)).toEqual(ROWS);
    expect(fileIntegrityRows({ ...predicate, algorithm: 'md5' })).toBeUndefined();
    expect(
      fileIntegrityRows({ ...predicate, entries: [['etc', 'f', '0644', 0, 0, 1, '']] }),
    ).toBeUndefined();
    expect(fileIntegrityRows({ ...predicate, fields: ['type', 'path'] })).toBeUndefined();
    expect(fileIntegrityRows(null)).toBeUndefined();
  });
});

describe('compareFileIntegrity', () => {
  it('passes when every listed entry matches and nothing was added outside the mounts', () => {
    const added: ObservedEntry[] = [
      { path: '/etc/hosts', type: 'f', mode: 0o644, uid: 0, gid: 0, size: 0, digest: '' },
      { path: '/var', type: 'd', mode: 0o755, uid: 0, gid: 0, size: 0, digest: '' },
      { path: '/var/tmp', type: 'd', mode: 0o1777, uid: 0, gid: 0, size: 0, digest: '' },
      { path: '/data/kept', type: 'f', mode: 0o644, uid: 0, gid: 0, size: 4, digest: '' },
    ];
    const r = compareFileIntegrity(ROWS, observation(new Map(), added), MOUNTS);
    expect(r.status).toBe('pass');
    expect(r.detail).toBe('4 entries match the statement, 1 files hashed');
  });

  it('names a changed file, a missing one, a retyped one and an added one', () => {
    const changes = new Map<string, ObservedEntry | undefined>([
      ['/etc/greeting', seen(ROWS[3]!, { digest: D2, size: 5, mode: 0o666 })],
      ['/bin/sh', undefined],
      ['/etc', seen(ROWS[2]!, { type: 'f' })],
    ]);
    const added = [
      { path: '/etc/evil', type: 'f' as const, mode: 0o755, uid: 0, gid: 0, size: 3, digest: '' },
    ];
    const r = compareFileIntegrity(ROWS, observation(changes, added), MOUNTS);
    expect(r.status).toBe('fail');
    expect(r.violations).toEqual([
      '/bin/sh: missing',
      '/etc: was a directory, now a file',
      '/etc/greeting: content changed (sha256 aaaaaaaaaaaa… → bbbbbbbbbbbb…), mode 0644 → 0666',
      '/etc/evil: added (a file not in the image)',
    ]);
    expect(r.detail).toBe('/bin/sh: missing (and 3 more)');
  });

  it('reports a changed owner', () => {
    const changes = new Map([['/etc/greeting', seen(ROWS[3]!, { uid: 1000 })]]);
    expect(compareFileIntegrity(ROWS, observation(changes), MOUNTS).violations).toEqual([
      '/etc/greeting: owner 0:0 → 1000:0',
    ]);
  });
});

describe('isMountRelated', () => {
  it('covers mount points, what is under them and directories leading to them', () => {
    expect(isMountRelated('/data', 'd', MOUNTS)).toBe(true);
    expect(isMountRelated('/data/x/y', 'f', MOUNTS)).toBe(true);
    expect(isMountRelated('/var', 'd', MOUNTS)).toBe(true);
    expect(isMountRelated('/var', 'f', MOUNTS)).toBe(false);
    expect(isMountRelated('/datax', 'f', MOUNTS)).toBe(false);
    expect(isMountRelated('/etc/hostsx', 'f', MOUNTS)).toBe(false);
  });
});
