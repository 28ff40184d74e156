// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { outputBefore, parseDpkgFailure } from './dpkg-output.js';

describe('parseDpkgFailure', () => {
  it('names the package and script of a failed postinst', () => {
    const out = [
      'Setting up foo (1.0) ...',
      'foo: something broke',
      'dpkg: error processing package foo (--configure):',
      ' installed foo package post-installation script subprocess returned error exit status 3',
      'Errors were encountered while processing:',
      ' foo',
    ].join('\n');
    expect(parseDpkgFailure(out)).toEqual({
      kind: 'script',
      package: 'foo',
      script: 'postinst',
      status: '3',
    });
    expect(outputBefore(out, 'foo package', 3)).toBe(
      'foo: something broke\ndpkg: error processing package foo (--configure):\n installed foo package post-installation script subprocess returned error exit status 3',
    );
  });

  it('names a failed preinst during unpack', () => {
    const out = [
      'Preparing to unpack .../0001-bar_2.0_amd64.deb ...',
      'dpkg: error processing archive /debs/0001-bar_2.0_amd64.deb (--unpack):',
      ' new bar:amd64 package pre-installation script subprocess returned error exit status 1',
    ].join('\n');
    expect(parseDpkgFailure(out)).toMatchObject({
      kind: 'script',
      package: 'bar:amd64',
      script: 'preinst',
    });
  });

  it('reports file conflicts and dependency problems as conflicts', () => {
    const out = [
      'dpkg: error processing archive /debs/0002-baz_1_all.deb (--unpack):',
      " trying to overwrite '/usr/bin/x', which is also in package qux 1",
    ].join('\n');
    expect(parseDpkgFailure(out)).toMatchObject({ kind: 'conflict', package: 'baz' });
    const deps = [
      'dpkg: error processing package baz (--configure):',
      ' dependency problems - leaving unconfigured',
    ].join('\n');
    expect(parseDpkgFailure(deps)).toMatchObject({ kind: 'conflict', package: 'baz' });
  });

  it('returns other dpkg errors and undefined for clean output', () => {
    expect(parseDpkgFailure('dpkg: error: cannot access archive: No such file')).toMatchObject({
      kind: 'other',
    });
    expect(parseDpkgFailure('Setting up foo (1.0) ...\n')).toBeUndefined();
  });
});
