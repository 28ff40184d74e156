// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  PathFilter,
  fnmatch,
  formatDpkgCfg,
  installPathRules,
  parseDpkgCfg,
  shouldSkipPath,
} from './path-filter.js';
import type { PathRule } from './path-filter.js';

describe('fnmatch (flags 0, as dpkg calls it)', () => {
  it.each([
    ['/usr/share/doc/*', '/usr/share/doc/bash/copyright', true],
    ['/usr/share/doc/*', '/usr/share/doc', false],
    ['/usr/share/doc/*/copyright', '/usr/share/doc/a/b/copyright', true],
    ['/usr/share/man/??/*', '/usr/share/man/de/man1/ls.1.gz', true],
    ['/usr/share/locale/[a-c]*', '/usr/share/locale/bg', true],
    ['/usr/share/locale/[!a-c]*', '/usr/share/locale/bg', false],
    ['/usr/share/locale/[^a-c]*', '/usr/share/locale/de', true],
    ['/x/[[:digit:]]', '/x/7', true],
    ['/x/[]]', '/x/]', true],
    ['/x/\\*', '/x/*', true],
    ['/x/\\*', '/x/a', false],
    ['/x/[', '/x/[', true],
    ['/a.b', '/aXb', false],
    ['*', '/.hidden/x', true],
    ['/usr/lib/*.so*', '/usr/lib/x86_64-linux-gnu/libz.so.1', true],
  ])('%s ~ %s → %s', (pattern, path, expected) => {
    expect(fnmatch(pattern, path)).toBe(expected);
  });
});

describe('shouldSkipPath', () => {
  const slim: PathRule[] = [
    { kind: 'exclude', pattern: '/usr/share/doc/*' },
    { kind: 'exclude', pattern: '/usr/share/man/*' },
    { kind: 'include', pattern: '/usr/share/doc/*/copyright' },
  ];

  it('skips excluded members unless an include matches later (last match wins)', () => {
    expect(shouldSkipPath(slim, '/usr/share/doc/bash/README', 'f')).toBe(true);
    expect(shouldSkipPath(slim, '/usr/share/doc/bash/copyright', 'f')).toBe(false);
    expect(shouldSkipPath(slim, '/usr/share/man/man1/ls.1.gz', 'f')).toBe(true);
    expect(shouldSkipPath(slim, '/usr/bin/bash', 'f')).toBe(false);
    const reversed: PathRule[] = [
      { kind: 'include', pattern: '/usr/share/doc/*/copyright' },
      { kind: 'exclude', pattern: '/usr/share/doc/*' },
    ];
    expect(shouldSkipPath(reversed, '/usr/share/doc/bash/copyright', 'f')).toBe(true);
  });

  it('keeps directories and symlinks an include pattern reaches into', () => {
    expect(shouldSkipPath(slim, '/usr/share/doc/bash', 'd')).toBe(false);
    expect(shouldSkipPath(slim, '/usr/share/doc/php8.2-cli', 'l')).toBe(false);
    // A file of the same name is not kept.
    expect(shouldSkipPath(slim, '/usr/share/doc/bash', 'f')).toBe(true);
    // No include reaches into man/.
    expect(shouldSkipPath(slim, '/usr/share/man/man1', 'd')).toBe(true);
  });

  it('PathFilter with no rules skips nothing', () => {
    expect(new PathFilter([]).skips('/usr/share/doc/x', 'f')).toBe(false);
    expect(new PathFilter(slim).skips('/usr/share/doc/x', 'f')).toBe(true);
  });
});

describe('dpkg.cfg.d files', () => {
  it('reads path-exclude/path-include lines and ignores the rest', () => {
    const text = [
      '# Drop docs',
      'path-exclude=/usr/share/doc/*',
      'path-include /usr/share/doc/*/copyright',
      'force-unsafe-io',
      '--path-exclude=/usr/share/info/*',
      '',
    ].join('\n');
    expect(parseDpkgCfg(text)).toEqual([
      { kind: 'exclude', pattern: '/usr/share/doc/*' },
      { kind: 'include', pattern: '/usr/share/doc/*/copyright' },
      { kind: 'exclude', pattern: '/usr/share/info/*' },
    ]);
  });

  it('orders the base files by name, then manifest excludes, then includes', () => {
    const rules = installPathRules({
      baseConfigFiles: [
        { name: 'z-more', text: 'path-exclude=/z/*\n' },
        { name: 'excludes', text: 'path-exclude=/e/*\n' },
      ],
      exclude: ['/usr/share/doc/*'],
      include: ['/usr/share/doc/*/copyright'],
    });
    expect(rules.map((r) => r.pattern)).toEqual([
      '/e/*',
      '/z/*',
      '/usr/share/doc/*',
      '/usr/share/doc/*/copyright',
    ]);
    expect(parseDpkgCfg(formatDpkgCfg(rules))).toEqual(rules);
  });
});
