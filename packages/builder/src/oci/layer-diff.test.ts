// SPDX-License-Identifier: Apache-2.0
import type { FileEntry } from '@verified-container/shared/image';
import { describe, expect, it } from 'vitest';
import { applyLayer, diffLayers, isSameEntry, type FileTable } from './layer-diff.js';
import { planLayer } from './plan-layer.js';

function f(path: string, digest = 'a'.repeat(64), extra: Partial<FileEntry> = {}): FileEntry {
  return { path, type: 'f', mode: 0o644, uid: 0, gid: 0, size: 1, digest, mtime: 1, ...extra };
}
function d(path: string, extra: Partial<FileEntry> = {}): FileEntry {
  return { path, type: 'd', mode: 0o755, uid: 0, gid: 0, size: 0, digest: '', mtime: 1, ...extra };
}
function l(path: string, target: string): FileEntry {
  return { ...f(path, '', { type: 'l', mode: 0o777, size: target.length }), linkTarget: target };
}
function table(...entries: FileEntry[]): Map<string, FileEntry> {
  return new Map(entries.map((e) => [e.path, e]));
}
const paths = (entries: readonly FileEntry[]) => entries.map((e) => e.path);

const lower = table(
  d('/etc'),
  f('/etc/passwd'),
  f('/etc/group'),
  l('/etc/localtime', '/usr/share/zoneinfo/UTC'),
  d('/var'),
  d('/var/lib'),
  f('/var/lib/state'),
  f('/var/keep'),
  d('/opt'),
  d('/opt/app'),
  f('/opt/app/bin'),
  f('/opt/keep'),
  f('/data'),
);

function expectRoundTrip(low: FileTable, up: FileTable) {
  const diff = diffLayers(low, up);
  const merged = applyLayer(low, diff.entries, diff.whiteouts, diff.opaqueDirs);
  expect([...merged.keys()].sort()).toEqual([...up.keys()].sort());
  for (const [path, entry] of up) expect(isSameEntry(merged.get(path)!, entry)).toBe(true);
  return diff;
}

describe('diffLayers', () => {
  it('an identical table gives an empty layer', () => {
    expect(diffLayers(lower, new Map(lower))).toEqual({
      entries: [],
      whiteouts: [],
      opaqueDirs: [],
    });
  });

  it('adds new entries', () => {
    const upper = table(...lower.values(), d('/srv'), f('/srv/index.html'));
    const diff = expectRoundTrip(lower, upper);
    expect(paths(diff.entries)).toEqual(['/srv', '/srv/index.html']);
    expect(diff.whiteouts).toEqual([]);
  });

  it('a changed mode, owner or content is a change; mtime alone is not', () => {
    const upper = table(
      ...lower.values(),
      f('/etc/passwd', 'a'.repeat(64), { mode: 0o600 }),
      f('/etc/group', 'a'.repeat(64), { gid: 42 }),
      f('/var/lib/state', 'b'.repeat(64)),
      f('/opt/app/bin', 'a'.repeat(64), { mtime: 999_999 }),
    );
    const diff = expectRoundTrip(lower, upper);
    expect(paths(diff.entries)).toEqual(['/etc/group', '/etc/passwd', '/var/lib/state']);
  });

  it('a changed symlink target is a change', () => {
    const upper = table(...lower.values(), l('/etc/localtime', '/usr/share/zoneinfo/Europe/Paris'));
    expect(paths(expectRoundTrip(lower, upper).entries)).toEqual(['/etc/localtime']);
  });

  it('a removed file becomes a whiteout; a removed tree only at its top', () => {
    const upper = new Map(lower);
    upper.delete('/etc/group');
    upper.delete('/var/lib');
    upper.delete('/var/lib/state');
    const diff = expectRoundTrip(lower, upper);
    expect(diff.entries).toEqual([]);
    expect(diff.whiteouts).toEqual(['/etc/group', '/var/lib']);
    expect(diff.opaqueDirs).toEqual([]);
  });

  it('a directory replaced by a file is whited out and re-added', () => {
    const upper = new Map(lower);
    upper.delete('/opt/app/bin');
    upper.set('/opt/app', f('/opt/app'));
    const diff = expectRoundTrip(lower, upper);
    expect(paths(diff.entries)).toEqual(['/opt/app']);
    expect(diff.whiteouts).toEqual(['/opt/app']);
  });

  it('a file replaced by a directory is whited out and re-added', () => {
    const upper = table(...lower.values(), d('/data'), f('/data/x'));
    const diff = expectRoundTrip(lower, upper);
    expect(paths(diff.entries)).toEqual(['/data', '/data/x']);
    expect(diff.whiteouts).toEqual(['/data']);
  });

  it('a directory whose lower content is all gone or rewritten gets an opaque marker', () => {
    // rm -rf /opt/app && mkdir /opt/app && install a new file
    const upper = new Map(lower);
    upper.delete('/opt/app/bin');
    upper.set('/opt/app/new', f('/opt/app/new'));
    const diff = expectRoundTrip(lower, upper);
    expect(diff.opaqueDirs).toEqual(['/opt/app']);
    expect(diff.whiteouts).toEqual([]);
    expect(paths(diff.entries)).toEqual(['/opt/app/new']);
  });

  it('no opaque marker while something below survives unchanged', () => {
    const upper = new Map(lower);
    upper.delete('/etc/group');
    upper.set('/etc/passwd', f('/etc/passwd', 'c'.repeat(64)));
    const diff = expectRoundTrip(lower, upper);
    expect(diff.opaqueDirs).toEqual([]);
    expect(diff.whiteouts).toEqual(['/etc/group']);
  });

  it('only the outermost opaque directory is marked', () => {
    const upper = new Map(lower);
    upper.delete('/var/lib/state');
    upper.delete('/var/keep');
    upper.set('/var/lib', d('/var/lib', { mode: 0o700 }));
    const diff = expectRoundTrip(lower, upper);
    expect(diff.opaqueDirs).toEqual(['/var']);
    expect(diff.whiteouts).toEqual([]);
    expect(paths(diff.entries)).toEqual(['/var/lib']);
  });

  it('emptying a directory is indistinguishable from replacing it: opaque', () => {
    const upper = new Map(lower);
    upper.delete('/var/lib/state');
    const diff = expectRoundTrip(lower, upper);
    expect(diff.opaqueDirs).toEqual(['/var/lib']);
    expect(diff.whiteouts).toEqual([]);
  });
});

describe('diffLayers then applyLayer', () => {
  // A small seeded generator of consistent trees: every entry's parent is a directory.
  function randomTree(seed: number): Map<string, FileEntry> {
    let x = seed;
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    const out = table(d('/r'));
    const dirs = ['/r'];
    for (let i = 0; i < 40; i++) {
      const parent = dirs[next(dirs.length)]!;
      const path = `${parent}/${'abc'[next(3)]}${next(4)}`;
      if (out.has(path)) continue;
      const kind = next(4);
      const entry =
        kind === 0
          ? d(path, { mode: next(2) ? 0o755 : 0o700 })
          : kind === 1
            ? l(path, `t${next(3)}`)
            : f(path, String(next(3)).repeat(64), { uid: next(2) });
      out.set(path, entry);
      if (entry.type === 'd') dirs.push(path);
    }
    return out;
  }

  it('rebuilds the upper table for random pairs of trees', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const upper = randomTree(seed * 7 + 3);
      const diff = expectRoundTrip(randomTree(seed), upper);
      // Every diff is packable: ancestors exist and are directories in the upper tree.
      expect(() => planLayer({ ...diff, tree: upper }, 0)).not.toThrow();
    }
  });
});

describe('applyLayer', () => {
  it('whiteouts hide lower content only, never the same layer', () => {
    const merged = applyLayer(lower, [d('/var/lib'), f('/var/lib/fresh')], ['/var/lib'], []);
    expect([...merged.keys()].filter((p) => p.startsWith('/var'))).toEqual([
      '/var',
      '/var/keep',
      '/var/lib',
      '/var/lib/fresh',
    ]);
  });

  it('returns a table ordered by path bytes', () => {
    const merged = applyLayer(lower, [f('/a-b'), f('/Z')], []);
    const keys = [...merged.keys()];
    expect(keys.slice(0, 2)).toEqual(['/Z', '/a-b']);
  });
});
