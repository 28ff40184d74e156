// SPDX-License-Identifier: Apache-2.0
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseManifest } from '@verified-container/shared/manifest';
import { canonicalize } from '@verified-container/shared/json';
import { sha256Hex } from '@verified-container/shared/crypto';
import { lockSourcesOf } from './apt-sources.js';
import {
  computeInputsDigest,
  decideLock,
  lockInputsFromManifest,
  lockfilePath,
  parseLockfile,
  readLockfile,
  serializeLockfile,
  writeLockfile,
} from './lockfile.js';
import type { LockInputs, Lockfile } from './lockfile.js';

const hex = (c: string) => c.repeat(64);

const inputs: LockInputs = {
  architecture: 'amd64',
  suite: 'bookworm',
  components: ['main'],
  packages: ['ca-certificates', 'busybox=1:1.35.0-4+deb12u1+b1'],
  base: 'scratch',
  external: [
    {
      name: 'wp',
      version: '6.4.2',
      source: 'https://wordpress.org/wp.tar.gz',
      hash: `sha256:${hex('b')}`,
    },
    {
      name: 'aegis',
      version: '0.2.0',
      source: 'https://x/aegis.tar.gz',
      hash: `sha256:${hex('c')}`,
    },
  ],
  composer: [],
};

function lockOf(over: Partial<Lockfile> = {}): Lockfile {
  return {
    lockVersion: 1,
    generator: 'cerro-torre 0.1.0',
    inputsDigest: computeInputsDigest(inputs),
    sourceDateEpoch: 1700000000,
    architecture: 'amd64',
    suite: 'bookworm',
    base: { ref: 'scratch', digest: null },
    sources: lockSourcesOf({ suite: 'bookworm', components: ['main'] }),
    packages: [
      {
        name: 'ca-certificates',
        version: '20250419~deb12u2',
        architecture: 'all',
        sha256: hex('1'),
        size: 160948,
        source: 'ca-certificates',
        sourceVersion: '20250419~deb12u2',
        pocket: 'bookworm-security',
        filename: 'pool/updates/main/c/ca-certificates/ca-certificates_20250419~deb12u2_all.deb',
        requested: true,
      },
      {
        name: 'busybox',
        version: '1:1.35.0-4+deb12u1+b1',
        architecture: 'amd64',
        sha256: hex('2'),
        size: 452120,
        source: 'busybox',
        sourceVersion: '1:1.35.0-4+deb12u1',
        pocket: 'bookworm',
        filename: 'pool/main/b/busybox/busybox_1.35.0-4+deb12u1+b1_amd64.deb',
        requested: true,
      },
    ],
    external: [
      {
        name: 'wp',
        version: '6.4.2',
        url: 'https://wordpress.org/wp.tar.gz',
        sha256: hex('b'),
        size: 10,
      },
      {
        name: 'aegis',
        version: '0.2.0',
        url: 'https://x/aegis.tar.gz',
        sha256: hex('c'),
        size: 20,
      },
    ],
    fetches: [
      { url: 'https://z/b', sha256: hex('d'), size: 1 },
      { url: 'https://a/a', sha256: hex('e'), size: 2 },
    ],
    composer: [],
    ...over,
  };
}

describe('lockfile format', () => {
  it('writes keys in the spec order, arrays sorted, 2-space JSON and a final LF', () => {
    const text = serializeLockfile(lockOf());
    expect(text.endsWith('}\n')).toBe(true);
    expect(
      text.startsWith(
        '{\n  "lockVersion": 1,\n  "generator": "cerro-torre 0.1.0",\n  "inputsDigest"',
      ),
    ).toBe(true);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual([
      'lockVersion',
      'generator',
      'inputsDigest',
      'sourceDateEpoch',
      'architecture',
      'suite',
      'base',
      'sources',
      'packages',
      'external',
      'fetches',
      'composer',
    ]);
    const packages = parsed['packages'] as Record<string, unknown>[];
    expect(packages.map((p) => p['name'])).toEqual(['busybox', 'ca-certificates']);
    expect(Object.keys(packages[0]!)).toEqual([
      'name',
      'version',
      'architecture',
      'sha256',
      'size',
      'source',
      'sourceVersion',
      'pocket',
      'filename',
      'requested',
    ]);
    expect((parsed['external'] as { name: string }[]).map((e) => e.name)).toEqual(['aegis', 'wp']);
    expect((parsed['fetches'] as { url: string }[]).map((e) => e.url)).toEqual([
      'https://a/a',
      'https://z/b',
    ]);
    expect(parsed['sources']).toEqual([
      { pocket: 'bookworm', suite: 'bookworm', components: ['main'], mirror: 'debian' },
      { pocket: 'bookworm-updates', suite: 'bookworm', components: ['main'], mirror: 'debian' },
      {
        pocket: 'bookworm-security',
        suite: 'bookworm',
        components: ['main'],
        mirror: 'debian-security',
      },
    ]);
  });

  it('round-trips through parse, also with an embedded base lock', () => {
    const base = lockOf({ base: { ref: 'scratch', digest: null } });
    const lock = lockOf({
      base: { ref: 'cerro-torre/debian:bookworm-slim', digest: `sha256:${hex('f')}`, lock: base },
      composer: [{ step: 3, composerJson: '{}\n', composerLock: '{"packages":[]}\n' }],
    });
    const text = serializeLockfile(lock);
    const back = parseLockfile(text, { source: 'x.lock.json' });
    expect(serializeLockfile(back)).toBe(text);
    expect(back.base.lock?.packages).toHaveLength(2);
  });

  it('refuses bad locks with BUILD_LOCK_INVALID naming the path', () => {
    const good = JSON.parse(serializeLockfile(lockOf())) as Record<string, unknown>;
    const cases: [unknown, RegExp][] = [
      [{ ...good, lockVersion: 2 }, /lockVersion/],
      [{ ...good, extra: 1 }, /\$\.extra: unknown field/],
      [{ ...good, sourceDateEpoch: 1.5 }, /not valid JSON|sourceDateEpoch/],
      [
        { ...good, packages: [{ ...(good['packages'] as object[])[0], sha256: 'xyz' }] },
        /packages\[0\]\.sha256/,
      ],
      [
        {
          ...good,
          packages: [{ ...(good['packages'] as object[])[0], filename: '../../etc/passwd' }],
        },
        /filename/,
      ],
      [
        {
          ...good,
          sources: [{ pocket: 'bookworm', suite: 'bookworm', components: [], mirror: 'elsewhere' }],
        },
        /mirror/,
      ],
    ];
    for (const [value, message] of cases) {
      expect(() => parseLockfile(JSON.stringify(value), { source: 'l.json' })).toThrow(
        expect.objectContaining({
          code: 'BUILD_LOCK_INVALID',
          message: expect.stringMatching(message),
        }),
      );
    }
    expect(() => parseLockfile('{"lockVersion":1,"lockVersion":1}', { source: 'l' })).toThrow(
      expect.objectContaining({ code: 'BUILD_LOCK_INVALID' }),
    );
    expect(() => parseLockfile('not json', { source: 'l' })).toThrow(
      expect.objectContaining({ code: 'BUILD_LOCK_INVALID' }),
    );
  });
});

describe('files', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('names the lock after the manifest and writes it atomically', async () => {
    dir = await mkdtemp(join(tmpdir(), 'ct-lock-'));
    expect(lockfilePath('/a/b/php-aegis-wordpress.ctp')).toBe('/a/b/php-aegis-wordpress.lock.json');
    const path = lockfilePath(join(dir, 'app.ctp'));
    expect(await readLockfile(path)).toBeUndefined();
    await writeLockfile(path, lockOf());
    expect(await readFile(path, 'utf8')).toBe(serializeLockfile(lockOf()));
    expect(await readdir(dir)).toEqual(['app.lock.json']);
    expect((await readLockfile(path))?.packages).toHaveLength(2);
  });
});

describe('inputs digest', () => {
  it('is sha256 of the JCS of the inputs, external sorted by name', () => {
    const expected = sha256Hex(
      canonicalize({
        architecture: 'amd64',
        suite: 'bookworm',
        components: ['main'],
        packages: ['ca-certificates', 'busybox=1:1.35.0-4+deb12u1+b1'],
        base: 'scratch',
        external: [...inputs.external].sort((a, b) => (a.name < b.name ? -1 : 1)),
        composer: [],
      }),
    );
    expect(computeInputsDigest(inputs)).toBe(`sha256:${expected}`);
    // The order of packages as written matters; the order of external does not.
    expect(computeInputsDigest({ ...inputs, packages: [...inputs.packages].reverse() })).not.toBe(
      computeInputsDigest(inputs),
    );
    expect(computeInputsDigest({ ...inputs, external: [...inputs.external].reverse() })).toBe(
      computeInputsDigest(inputs),
    );
  });

  it('takes its inputs from a manifest', () => {
    const text = `[package]
name = "demo"
version = "1.0.0"

[dependencies]
packages = ["busybox", "ca-certificates"]
components = ["main", "contrib"]

[dependencies.external]
wp = { version = "6.4.2", source = "https://wordpress.org/wp.tar.gz", hash = "sha256:${hex('a')}" }

[build]
steps = [
  { action = "mkdir", path = "/var/www" },
  { action = "composer-require", package = "vendor/pkg:^1", dir = "/var/www", repositories = [{ type = "composer", url = "https://repo.example" }] },
]
`;
    const result = parseManifest(text, { source: 'demo.ctp' });
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const got = lockInputsFromManifest(result.manifest!, {
      architecture: 'amd64',
      suite: 'bookworm',
    });
    expect(got).toEqual({
      architecture: 'amd64',
      suite: 'bookworm',
      components: ['main', 'contrib'],
      packages: ['busybox', 'ca-certificates'],
      base: 'scratch',
      external: [
        {
          name: 'wp',
          version: '6.4.2',
          source: 'https://wordpress.org/wp.tar.gz',
          hash: `sha256:${hex('a')}`,
        },
      ],
      composer: [
        {
          step: 1,
          package: 'vendor/pkg:^1',
          repositories: [{ type: 'composer', url: 'https://repo.example' }],
          packagist: true,
        },
      ],
    });
  });
});

describe('decideLock (--frozen)', () => {
  const opts = { frozen: true, lockPath: 'app.lock.json' };

  it('uses a lock whose digest matches', () => {
    expect(decideLock(lockOf(), inputs, opts)).toEqual({ kind: 'use', lock: lockOf() });
  });

  it('without --frozen resolves when missing or changed', () => {
    expect(decideLock(undefined, inputs, { ...opts, frozen: false })).toMatchObject({
      kind: 'resolve',
      reason: 'missing',
    });
    const changed = { ...inputs, packages: [...inputs.packages, 'curl'] };
    expect(decideLock(lockOf(), changed, { ...opts, frozen: false })).toEqual({
      kind: 'resolve',
      reason: 'changed',
      changes: ['packages added: curl'],
    });
  });

  it('with --frozen: BUILD_LOCK_MISSING and BUILD_LOCK_MISMATCH naming what changed', () => {
    expect(() => decideLock(undefined, inputs, opts)).toThrow(
      expect.objectContaining({ code: 'BUILD_LOCK_MISSING' }),
    );
    const changed: LockInputs = {
      ...inputs,
      suite: 'trixie',
      base: 'cerro-torre/debian:bookworm',
      packages: ['busybox=1:1.36.1-1'],
      external: [{ ...inputs.external[0]!, version: '6.5.0' }],
    };
    let error: unknown;
    try {
      decideLock(lockOf(), changed, opts);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BUILD_LOCK_MISMATCH' });
    expect((error as { details: { changes: string[] } }).details.changes).toEqual([
      'suite bookworm → trixie',
      'base scratch → cerro-torre/debian:bookworm',
      'packages removed: ca-certificates',
      'package busybox pinned to 1:1.36.1-1 (locked 1:1.35.0-4+deb12u1+b1)',
      'external wp: version 6.4.2 → 6.5.0',
      'external aegis removed',
    ]);
    expect(() =>
      decideLock(lockOf(), { ...inputs, packages: [...inputs.packages].reverse() }, opts),
    ).toThrow(/inputs digest differs/);
  });
});
