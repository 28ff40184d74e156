// SPDX-License-Identifier: Apache-2.0
import { runInThisContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundleIsCurrent, cacheCommand, cacheFileName, wrapBundle } from './bundle-launch.js';

const node = { version: 'v20.20.2', arch: 'x64', flags: '' };

describe('cacheCommand', () => {
  it('is the command word after the global flags and their values', () => {
    expect(cacheCommand(['run', '--rm', 'img'])).toBe('run');
    expect(cacheCommand(['--root', '/s', '--log-level', 'debug', 'ps', '-a'])).toBe('ps');
    expect(cacheCommand(['--json', 'inspect', 'x'])).toBe('inspect');
  });

  it('shares one cache for every other word and for no word at all', () => {
    expect(cacheCommand(['version'])).toBe('other');
    expect(cacheCommand(['../../etc/passwd'])).toBe('other');
    expect(cacheCommand(['--help'])).toBe('other');
    expect(cacheCommand([])).toBe('other');
    // `run` is the value of --root here, not the command.
    expect(cacheCommand(['--root', 'run'])).toBe('other');
  });
});

describe('cacheFileName', () => {
  const bundle = { size: 1915095, mtimeMs: 1796673400759.123 };

  it('names the command, node and the bundle', () => {
    expect(cacheFileName('run', bundle, node)).toBe('run-v20.20.2-x64-1915095-1796673400759.v8');
  });

  it('changes with anything that makes a cache unusable', () => {
    const base = cacheFileName('run', bundle, node);
    const variants = [
      cacheFileName('ps', bundle, node),
      cacheFileName('run', { ...bundle, size: bundle.size + 1 }, node),
      cacheFileName('run', { ...bundle, mtimeMs: bundle.mtimeMs + 1 }, node),
      cacheFileName('run', bundle, { ...node, version: 'v20.20.3' }),
      cacheFileName('run', bundle, { ...node, arch: 'arm64' }),
      cacheFileName('run', bundle, { ...node, flags: '--max-old-space-size=64' }),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(cacheFileName('run', bundle, { ...node, flags: '--stack-size=2000' })).toMatch(
      /^run-v20\.20\.2-x64-[0-9a-f]{8}-1915095-1796673400759\.v8$/,
    );
  });
});

describe('bundleIsCurrent', () => {
  it('holds when no tsc output is newer than the bundle', () => {
    expect(bundleIsCurrent(100, [100, 50, undefined])).toBe(true);
    expect(bundleIsCurrent(100, [])).toBe(true);
  });

  it('fails when any package was compiled after the bundle was made', () => {
    expect(bundleIsCurrent(100, [50, 101])).toBe(false);
  });
});

describe('wrapBundle', () => {
  it('makes a function of the module scope and the import.meta.url', () => {
    const fn = runInThisContext(
      wrapBundle('module.exports = { url: __vordrImportMetaUrl, file: __filename };'),
    ) as (...args: unknown[]) => void;
    const module = { exports: {} };
    fn(module.exports, undefined, module, '/d/vordr.cjs', '/d', 'file:///d/vordr.cjs');
    expect(module.exports).toEqual({ url: 'file:///d/vordr.cjs', file: '/d/vordr.cjs' });
  });

  it('keeps a shebang line as a comment (it is only valid at the start of a script)', () => {
    const fn = runInThisContext(wrapBundle('#!/usr/bin/env node\nmodule.exports = 1;\n')) as (
      ...args: unknown[]
    ) => void;
    const module = { exports: {} };
    fn(module.exports, undefined, module);
    expect(module.exports).toBe(1);
  });
});
