// SPDX-License-Identifier: Apache-2.0
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, type ManifestStep } from '@verified-container/shared/manifest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextInputsDigest, contextPathsOf, stepsReachNetwork } from './context-inputs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ct-context-inputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function steps(toml: string): ManifestStep[] {
  const parsed = parseManifest(`[package]\nname = "x"\nversion = "1"\n${toml}`, {
    source: 'x.ctp',
  });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return [...parsed.manifest!.build.steps];
}

const COPY_AND_COMPOSER = `
[[build.steps]]
action = "copy"
src = "conf/app.conf"
dest = "/etc/app.conf"

[[build.steps]]
action = "copy"
src = "/etc/app.conf"
dest = "/etc/app.conf.orig"

[[build.steps]]
action = "composer-require"
package = "v/p"
repositories = [{ type = "path", url = "repo" }]
packagist = false
`;

describe('context inputs', () => {
  it('lists the context paths the steps read (not rootfs copies)', () => {
    expect(contextPathsOf(steps(COPY_AND_COMPOSER))).toEqual(['conf/app.conf', 'repo']);
  });

  it('only composer steps with packagist or a composer repository reach the network', () => {
    expect(stepsReachNetwork(steps(COPY_AND_COMPOSER))).toBe(false);
    expect(
      stepsReachNetwork(steps('[[build.steps]]\naction = "composer-require"\npackage = "v/p"\n')),
    ).toBe(true);
  });

  it('the digest changes with a file, its executable bit or a new file, and is null without inputs', async () => {
    mkdirSync(join(dir, 'conf'));
    mkdirSync(join(dir, 'repo'));
    writeFileSync(join(dir, 'conf/app.conf'), 'a=1\n');
    writeFileSync(join(dir, 'repo/composer.json'), '{}');
    const paths = ['conf/app.conf', 'repo'];
    const first = await contextInputsDigest(dir, paths);
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await contextInputsDigest(dir, paths)).toBe(first);
    writeFileSync(join(dir, 'conf/app.conf'), 'a=2\n');
    const second = await contextInputsDigest(dir, paths);
    expect(second).not.toBe(first);
    writeFileSync(join(dir, 'repo/extra.php'), '<?php');
    expect(await contextInputsDigest(dir, paths)).not.toBe(second);
    expect(await contextInputsDigest(dir, [])).toBeNull();
  });

  it('a symlink out of the context fails before anything runs', async () => {
    symlinkSync('/etc/passwd', join(dir, 'leak'));
    await expect(contextInputsDigest(dir, ['leak'])).rejects.toMatchObject({
      code: 'BUILD_PATH_ESCAPE',
    });
  });
});
