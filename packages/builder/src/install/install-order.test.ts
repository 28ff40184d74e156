// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { dependencyClosure, installOrder, relationGroups } from './install-order.js';

const pkg = (name: string, depends = '', preDepends = '', provides = '') => ({
  name,
  depends,
  preDepends,
  provides,
});
const names = (ps: readonly { name: string }[]) => ps.map((p) => p.name);

describe('relationGroups', () => {
  it('keeps names, drops versions, arch qualifiers and profiles', () => {
    expect(
      relationGroups(
        'libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0, perl:any, foo [amd64] <!nocheck>',
      ),
    ).toEqual([['libc6'], ['debconf', 'debconf-2.0'], ['perl'], ['foo']]);
    expect(relationGroups('')).toEqual([]);
  });
});

describe('installOrder', () => {
  it('puts dependencies first and breaks ties by name', () => {
    const order = installOrder([
      pkg('app', 'libb, liba'),
      pkg('libb', 'libc6'),
      pkg('liba', 'libc6'),
      pkg('libc6'),
      pkg('zzz'),
      pkg('aaa'),
    ]);
    expect(names(order)).toEqual(['aaa', 'libc6', 'liba', 'libb', 'app', 'zzz']);
  });

  it('follows Pre-Depends, virtual packages and the first alternative in the set', () => {
    const order = installOrder([
      pkg('ca-certificates', 'openssl, debconf (>= 0.5) | debconf-2.0'),
      pkg('cdebconf', '', '', 'debconf-2.0'),
      pkg('openssl', '', 'libssl3'),
      pkg('libssl3'),
    ]);
    expect(names(order)).toEqual(['cdebconf', 'libssl3', 'openssl', 'ca-certificates']);
  });

  it('ignores dependencies outside the set', () => {
    expect(names(installOrder([pkg('b', 'missing'), pkg('a', 'b')]))).toEqual(['b', 'a']);
  });

  it('breaks a Depends cycle at the smallest name whose Pre-Depends are placed', () => {
    const order = installOrder([pkg('a', 'b', 'c'), pkg('b', 'a'), pkg('c', 'a')]);
    // a waits (pre) for c; b only depends on a; so the cycle opens at b.
    expect(names(order)).toEqual(['b', 'c', 'a']);
  });

  it('is independent of the input order', () => {
    const set = [pkg('x', 'y'), pkg('y', 'z'), pkg('z'), pkg('w', 'x')];
    expect(names(installOrder(set))).toEqual(names(installOrder([...set].reverse())));
  });
});

describe('dependencyClosure', () => {
  it('collects what the roots reach through (pre-)dependencies', () => {
    const set = [
      pkg('dpkg', 'tar', 'libc6'),
      pkg('tar', 'libacl1'),
      pkg('libacl1'),
      pkg('libc6'),
      pkg('apt', 'libc6'),
    ];
    const roots = set.filter((p) => p.name === 'dpkg');
    expect(names(dependencyClosure(set, roots))).toEqual(['dpkg', 'tar', 'libacl1', 'libc6']);
  });
});
