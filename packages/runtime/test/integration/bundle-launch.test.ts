// SPDX-License-Identifier: Apache-2.0
// bin.ts's launcher (src/cli/bundle-launch.ts, as built in dist/) in child processes: a small
// stand-in bundle in a temp dist/ shows what the launcher hands the bundle, when it writes,
// uses, rejects and skips the code cache, and when it leaves the bundle alone; then the real
// dist/bin.js once. Needs `pnpm build`; no root.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VORDR_BIN } from '../support/signed-store-image.js';

const LAUNCHER = new URL('../../dist/cli/bundle-launch.js', import.meta.url).pathname;
const built = existsSync(LAUNCHER);

// Enough functions that V8 has something to cache; prints what the launcher handed in.
const STAND_IN = `#!/usr/bin/env node
function greet(name) { return 'hello ' + name; }
function twice(f, x) { return f(f(x)); }
process.stdout.write(JSON.stringify({
  url: __vordrImportMetaUrl,
  filename: __filename,
  dirname: __dirname,
  joined: require('node:path').join('a', 'b'),
  greeting: twice((s) => s + '!', greet('vordr')),
}) + '\\n');
`;

interface Launched {
  readonly status: number | null;
  readonly stderr: string;
  /** The launcher's outcome, then what the stand-in printed (when it ran). */
  readonly lines: readonly unknown[];
}

describe.skipIf(!built)('the bundle launcher (dist/cli/bundle-launch.js)', () => {
  let dir: string;
  let dist: string;
  let driver: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vordr-launch-'));
    dist = join(dir, 'dist');
    driver = join(dir, 'driver.mjs');
    spawnSync('mkdir', [dist]);
    writeFileSync(
      driver,
      `import { launchBundle } from ${JSON.stringify(pathToFileURL(LAUNCHER).href)};
const outcome = launchBundle(process.argv[2], process.argv.slice(3), process.env);
process.stdout.write(JSON.stringify(outcome) + '\\n');
`,
    );
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const launch = (
    argv: readonly string[],
    env: Record<string, string> = {},
    nodeFlags: readonly string[] = [],
  ): Launched => {
    const r = spawnSync(process.execPath, [...nodeFlags, driver, dist, ...argv], {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    // The stand-in runs inside launchBundle, so its line comes before the outcome's.
    const lines = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
    return { status: r.status, stderr: r.stderr, lines: [lines.at(-1), ...lines.slice(0, -1)] };
  };
  const caches = (): string[] =>
    existsSync(join(dist, 'compile-cache')) ? readdirSync(join(dist, 'compile-cache')) : [];

  it('starts nothing without a bundle', () => {
    expect(launch(['run']).lines).toEqual([{ started: false, reason: 'no-bundle' }]);
  });

  it('runs the bundle with its module scope, then writes, uses, and replaces a rejected cache', () => {
    const bundle = join(dist, 'vordr.cjs');
    writeFileSync(bundle, STAND_IN);

    const first = launch(['--root', '/s', 'run', '--rm', 'x']);
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.lines).toEqual([
      { started: true, cache: 'written-at-exit' },
      {
        url: pathToFileURL(bundle).href,
        filename: bundle,
        dirname: dist,
        joined: 'a/b',
        greeting: 'hello vordr!!',
      },
    ]);
    const [file, ...more] = caches();
    expect(more).toEqual([]);
    expect(file).toMatch(/^run-v\d+\.\d+\.\d+-[a-z0-9]+-\d+-\d+\.v8$/);

    expect(launch(['run']).lines[0]).toEqual({ started: true, cache: 'used' });
    // Another command has a cache of its own.
    expect(launch(['ps']).lines[0]).toEqual({ started: true, cache: 'written-at-exit' });
    expect(caches()).toHaveLength(2);

    const cachePath = join(dist, 'compile-cache', file!);
    writeFileSync(cachePath, 'not a code cache');
    const rejected = launch(['run']);
    expect(rejected.lines[0]).toEqual({ started: true, cache: 'rejected' });
    expect(rejected.lines[1]).toMatchObject({ greeting: 'hello vordr!!' });
    expect(readFileSync(cachePath, 'utf8')).not.toBe('not a code cache');
    expect(launch(['run']).lines[0]).toEqual({ started: true, cache: 'used' });
  });

  it('writes no cache with VORDR_COMPILE_CACHE=0, and none where it cannot', () => {
    writeFileSync(join(dist, 'vordr.cjs'), STAND_IN);
    const off = launch(['run'], { VORDR_COMPILE_CACHE: '0' });
    expect(off.lines[0]).toEqual({ started: true, cache: 'off' });
    expect(caches()).toEqual([]);

    // A file where the cache directory would be: the write fails, silently.
    writeFileSync(join(dist, 'compile-cache'), '');
    const unwritable = launch(['run']);
    expect(unwritable.status).toBe(0);
    expect(unwritable.stderr).toBe('');
    expect(unwritable.lines[1]).toMatchObject({ greeting: 'hello vordr!!' });
    expect(readdirSync(dist).sort()).toEqual(['compile-cache', 'vordr.cjs']);
  });

  it('leaves a bundle older than tsc output alone', () => {
    const bundle = join(dist, 'vordr.cjs');
    writeFileSync(bundle, STAND_IN);
    writeFileSync(join(dist, '.tsbuildinfo'), '{}');
    const old = new Date(Date.now() - 60_000);
    utimesSync(bundle, old, old);
    expect(launch(['run']).lines).toEqual([{ started: false, reason: 'stale-bundle' }]);
    const now = new Date();
    utimesSync(bundle, now, now);
    utimesSync(join(dist, '.tsbuildinfo'), old, old);
    expect(launch(['run']).lines[0]).toEqual({ started: true, cache: 'written-at-exit' });
  });

  it('leaves the bundle alone under --enable-source-maps (stack traces lead to the TypeScript)', () => {
    writeFileSync(join(dist, 'vordr.cjs'), STAND_IN);
    expect(launch(['run'], {}, ['--enable-source-maps']).lines).toEqual([
      { started: false, reason: 'source-maps' },
    ]);
  });
});

describe.skipIf(!built)('dist/bin.js', () => {
  it('runs vordr from the bundle `pnpm build` made, and caches its code', () => {
    const dist = new URL('../../dist/', import.meta.url).pathname;
    expect(existsSync(join(dist, 'vordr.cjs'))).toBe(true);
    const r = spawnSync(process.execPath, [VORDR_BIN, 'version'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vordr \d+\.\d+\.\d+/);
    expect(readdirSync(join(dist, 'compile-cache')).some((f) => f.startsWith('other-'))).toBe(true);
  });
});
