// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuncSandbox, runInSandbox } from './runc-sandbox.js';

describe('runInSandbox without runc', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ct-sandbox-unit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a missing runc as BUILD_TOOL_MISSING and leaves no bundle', async () => {
    const sandbox = new RuncSandbox({ runcPath: join(dir, 'no-runc'), bundleParent: dir });
    await expect(
      sandbox.run({ rootfs: dir, argv: ['/bin/true'], env: {}, timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'BUILD_TOOL_MISSING', hint: 'apt-get install runc' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a relative rootfs and an empty argv', async () => {
    await expect(
      runInSandbox({ rootfs: 'rel', argv: ['/bin/true'], env: {}, timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(
      runInSandbox({ rootfs: dir, argv: [], env: {}, timeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
