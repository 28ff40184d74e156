// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest } from '@verified-container/shared/manifest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultDestinations, parseDestinations, readBundleManifest } from './push-destinations.js';

const manifest = (exportTable: string) =>
  parseManifest(
    `[package]\nname = "example/hello"\nversion = "1.2.0"\n\n${exportTable}\n[runtime]\ncommand = ["/bin/sh"]\n`,
    { source: 'hello.ctp' },
  ).manifest!;

describe('push destinations', () => {
  it('defaults to [export.oci] registry with the version and the tags, deduplicated', () => {
    const m = manifest(
      '[export.oci]\nregistry = "localhost:5000/team/hello"\ntags = ["latest", "1.2.0", "stable"]\n',
    );
    expect(defaultDestinations(m, 'hello.ctp')).toEqual([
      { host: 'localhost:5000', repository: 'team/hello', tag: '1.2.0' },
      { host: 'localhost:5000', repository: 'team/hello', tag: 'latest' },
      { host: 'localhost:5000', repository: 'team/hello', tag: 'stable' },
    ]);
  });

  it('is a usage error without destinations and without a registry', () => {
    expect(() => defaultDestinations(manifest(''), 'hello.ctp')).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        hint: expect.stringContaining('[export.oci] registry'),
      }),
    );
  });

  it('parses destination arguments; bad ones and digests are usage errors', () => {
    expect(parseDestinations(['localhost:5000/a:1', 'ghcr.io/b'])).toEqual([
      { host: 'localhost:5000', repository: 'a', tag: '1' },
      { host: 'ghcr.io', repository: 'b', tag: 'latest' },
    ]);
    expect(() => parseDestinations(['hello:1'])).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => parseDestinations([`localhost:5000/a@sha256:${'0'.repeat(64)}`])).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('digest') }),
    );
  });

  describe('readBundleManifest', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'ct-bundle-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the one source/<n>.ctp', async () => {
      mkdirSync(join(dir, 'source/context'), { recursive: true });
      writeFileSync(
        join(dir, 'source/example_hello.ctp'),
        '[package]\nname = "example/hello"\nversion = "1.0"\n[runtime]\ncommand = ["/bin/sh"]\n',
      );
      writeFileSync(join(dir, 'source/context/other.ctp'), 'not read');
      const { manifest: m, path } = await readBundleManifest(dir);
      expect(m.package.name).toBe('example/hello');
      expect(path).toBe(join(dir, 'source/example_hello.ctp'));
    });

    it('is STATE_CORRUPT without one', async () => {
      await expect(readBundleManifest(dir)).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
      mkdirSync(join(dir, 'source'));
      await expect(readBundleManifest(dir)).rejects.toMatchObject({ code: 'STATE_CORRUPT' });
    });
  });
});
