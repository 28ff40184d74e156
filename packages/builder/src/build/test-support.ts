// SPDX-License-Identifier: Apache-2.0
// Test helpers of the build: one small real image (scratch base plus file steps, so the build needs
// no network, no runc and no Debian archive), the deterministic deps it is built with, and a file
// snapshot for "nothing changed" checks. Not exported from the package (the build excludes
// test-support.ts).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock, noopLogger } from '@verified-container/shared';
import type { Fetcher } from '../steps/step-context.js';
import { buildImage } from './build-image.js';
import type { BuildDeps, BuildOptions, BuildResult } from './build-types.js';

/** The clock of every test build and CLI run: 2026-11-25T10:00:00Z. */
export const TEST_CLOCK = fixedClock(new Date('2026-11-25T10:00:00Z'));

/** The provenance invocationId of every test build. */
export const TEST_UUID = '7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11';

/** A fetcher for builds that must not download anything: every fetch is refused. */
export const noFetch: Fetcher = {
  fetch: () => Promise.reject(new Error('no network in unit tests')),
};

/** Deterministic `buildImage` deps: empty env, {@link TEST_CLOCK}, {@link TEST_UUID}, no network. */
export function testBuildDeps(): BuildDeps {
  return {
    env: {},
    clock: TEST_CLOCK,
    logger: noopLogger,
    fetcher: noFetch,
    randomUUID: () => TEST_UUID,
  };
}

/** What varies between the tests' variants of the small image. */
export interface TestImageOptions {
  /** `[package] name` (default `example/hello`); the version is always 1.0.0. */
  readonly name?: string;
  /** `[export.oci] registry`, the push destination. */
  readonly registry?: string;
  /** `[export.oci] tags`. Without tags and registry there is no `[export.oci]` table. */
  readonly tags?: readonly string[];
  /** `[[build.steps]]` TOML appended after the base steps. */
  readonly steps?: string;
}

/**
 * The manifest of the small test image: scratch, `mkdir /etc`, a root-only /etc/passwd and
 * /etc/group, then `opts.steps`; runtime command /bin/sh.
 */
export function testImageManifest(opts: TestImageOptions = {}): string {
  const exportKeys = [
    ...(opts.registry === undefined ? [] : [`registry = "${opts.registry}"`]),
    ...(opts.tags === undefined ? [] : [`tags = [${opts.tags.map((t) => `"${t}"`).join(', ')}]`]),
  ];
  const exportTable = exportKeys.length === 0 ? '' : `\n[export.oci]\n${exportKeys.join('\n')}\n`;
  return `
[package]
name = "${opts.name ?? 'example/hello'}"
version = "1.0.0"
${exportTable}
[[build.steps]]
action = "mkdir"
path = "/etc"

[[build.steps]]
action = "write-file"
path = "/etc/passwd"
content = "root:x:0:0:root:/root:/bin/sh\\n"

[[build.steps]]
action = "write-file"
path = "/etc/group"
content = "root:x:0:\\n"
${opts.steps ?? ''}
[runtime]
command = ["/bin/sh"]
`;
}

/**
 * `example/hello` 1.0.0 (also tagged `latest`): /etc/passwd, /etc/group, /etc/os-release and the
 * ten bytes 0..9 in /srv/data.bin.
 */
export const TEST_IMAGE_MANIFEST = testImageManifest({
  tags: ['latest'],
  steps: `
[[build.steps]]
action = "write-file"
path = "/etc/os-release"
content = "ID=debian\\nVERSION_ID=\\"12\\"\\n"

[[build.steps]]
action = "write-file"
path = "/srv/data.bin"
content-base64 = "AAECAwQFBgcICQ=="
`,
});

/** How {@link buildTestImage} writes and builds its manifest. */
export interface BuildTestImageOptions extends Pick<BuildOptions, 'sourceDateEpoch'> {
  /** The manifest text (default {@link TEST_IMAGE_MANIFEST}). */
  readonly manifest?: string;
  /** The file it is written to in the directory (default `hello.ctp`). */
  readonly file?: string;
}

/**
 * Writes the manifest into `dir` and builds it with {@link testBuildDeps} into the store
 * `<dir>/store`, --out `<dir>/dist`.
 */
export async function buildTestImage(
  dir: string,
  opts: BuildTestImageOptions = {},
): Promise<BuildResult> {
  const file = opts.file ?? 'hello.ctp';
  writeFileSync(join(dir, file), opts.manifest ?? TEST_IMAGE_MANIFEST);
  return buildImage(
    { manifest: file, cwd: dir, root: join(dir, 'store'), sourceDateEpoch: opts.sourceDateEpoch },
    testBuildDeps(),
  );
}

/** Every file under `roots` (missing ones are skipped) with its sha256 hex, keyed by path. */
export function snapshotFiles(...roots: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const ent of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  for (const root of roots) walk(root);
  return out;
}
