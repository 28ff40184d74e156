// SPDX-License-Identifier: Apache-2.0
// A small real image for the export, sbom and lock tests: scratch base plus file steps, so the
// build needs no network, no runc and no Debian archive.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedClock, noopLogger } from '@verified-container/shared';
import { buildImage } from '../build/build-image.js';
import type { BuildResult } from '../build/build-types.js';

/** `example/hello` 1.0.0 (also tagged `latest`): /etc/passwd, /etc/group, /etc/os-release. */
export const TEST_IMAGE_MANIFEST = `
[package]
name = "example/hello"
version = "1.0.0"

[export.oci]
tags = ["latest"]

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

[[build.steps]]
action = "write-file"
path = "/etc/os-release"
content = "ID=debian\\nVERSION_ID=\\"12\\"\\n"

[[build.steps]]
action = "write-file"
path = "/srv/data.bin"
content-base64 = "AAECAwQFBgcICQ=="

[runtime]
command = ["/bin/sh"]
`;

/**
 * Writes `hello.ctp` into `dir` and builds it into the store `<dir>/store` with `--out
 * <dir>/dist` (package `dist/example_hello-1.0.0.ctp`), at SOURCE_DATE_EPOCH 1700000000.
 */
export async function buildTestImage(dir: string): Promise<BuildResult> {
  writeFileSync(join(dir, 'hello.ctp'), TEST_IMAGE_MANIFEST);
  return buildImage(
    {
      manifest: 'hello.ctp',
      cwd: dir,
      root: join(dir, 'store'),
      outDir: 'dist',
      sourceDateEpoch: '1700000000',
    },
    {
      env: {},
      clock: fixedClock(new Date('2026-11-25T10:00:00Z')),
      logger: noopLogger,
      fetcher: { fetch: () => Promise.reject(new Error('the test image fetches nothing')) },
      randomUUID: () => '7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11',
    },
  );
}
