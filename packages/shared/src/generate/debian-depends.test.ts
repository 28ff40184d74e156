// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { dependsOnEdges, parseDependencyField, type DpkgNode } from './debian-depends.js';

describe('parseDependencyField', () => {
  it('splits groups and alternatives and drops version constraints', () => {
    expect(parseDependencyField('a (>= 1) | b, c:any')).toEqual([
      [{ name: 'a' }, { name: 'b' }],
      [{ name: 'c', archQualifier: 'any' }],
    ]);
  });

  it('drops architecture restrictions and build profiles, and tolerates odd spacing', () => {
    expect(
      parseDependencyField(' libc6(>=2.34) [amd64] <!nocheck>,,\n  Foo:amd64 (<< 2)|bar '),
    ).toEqual([[{ name: 'libc6' }], [{ name: 'foo', archQualifier: 'amd64' }, { name: 'bar' }]]);
  });

  it('returns nothing for an empty field', () => {
    expect(parseDependencyField('')).toEqual([]);
    expect(parseDependencyField(' , ')).toEqual([]);
  });
});

function node(name: string, fields: Partial<DpkgNode> = {}): DpkgNode {
  const arch = fields.arch ?? 'amd64';
  return {
    id: `deb-${name}-${arch}`,
    name,
    arch,
    depends: '',
    preDepends: '',
    provides: '',
    ...fields,
  };
}

describe('dependsOnEdges', () => {
  it('links each satisfying package, through names, Provides and every alternative', () => {
    const edges = dependsOnEdges([
      node('app', {
        depends: 'mail-transport-agent, libc6 (>= 2.36) | libc6.1',
        preDepends: 'dpkg',
      }),
      node('exim4', { provides: 'mail-transport-agent (= 4.96)' }),
      node('postfix', { provides: 'mail-transport-agent' }),
      node('libc6'),
      node('dpkg', { depends: 'libc6' }),
    ]);
    expect(edges).toEqual([
      ['deb-app-amd64', 'deb-dpkg-amd64'],
      ['deb-app-amd64', 'deb-exim4-amd64'],
      ['deb-app-amd64', 'deb-libc6-amd64'],
      ['deb-app-amd64', 'deb-postfix-amd64'],
      ['deb-dpkg-amd64', 'deb-libc6-amd64'],
    ]);
  });

  it('matches architectures: same or all first, :any everything, :<arch> only that one', () => {
    const nodes = [
      node('libc6'),
      node('libc6', { arch: 'i386' }),
      node('tzdata', { arch: 'all' }),
      node('python3', { arch: 'i386' }),
      node('a', { depends: 'libc6, tzdata, python3' }),
      node('b', { depends: 'libc6:any' }),
      node('c', { depends: 'libc6:i386' }),
      node('d', { arch: 'all', depends: 'libc6' }),
    ];
    const targets = (from: string) =>
      dependsOnEdges(nodes)
        .filter(([f]) => f === from)
        .map(([, t]) => t);
    // python3 exists only for i386: taken as Multi-Arch: foreign.
    expect(targets('deb-a-amd64')).toEqual([
      'deb-libc6-amd64',
      'deb-python3-i386',
      'deb-tzdata-all',
    ]);
    expect(targets('deb-b-amd64')).toEqual(['deb-libc6-amd64', 'deb-libc6-i386']);
    expect(targets('deb-c-amd64')).toEqual(['deb-libc6-i386']);
    expect(targets('deb-d-all')).toEqual(['deb-libc6-amd64', 'deb-libc6-i386']);
  });

  it('drops self-edges and duplicates', () => {
    expect(
      dependsOnEdges([
        node('mawk', { provides: 'awk', depends: 'awk | mawk, libc6, libc6' }),
        node('libc6'),
      ]),
    ).toEqual([['deb-mawk-amd64', 'deb-libc6-amd64']]);
  });
});
