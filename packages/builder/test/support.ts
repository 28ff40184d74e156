// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, noopLogger } from '@verified-container/shared';
import type { CliDeps } from '../src/cli/deps.js';

export const FIXTURES = new URL('../../shared/test/fixtures/', import.meta.url);
export const REFERENCE_MANIFEST = new URL('manifests/php-aegis-wordpress.ctp', FIXTURES).pathname;
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname;

export function makeDeps(cwd: string, env: Record<string, string> = {}): CliDeps {
  return {
    env: { VC_ROOT: join(cwd, 'store'), ...env },
    cwd,
    uid: 1000,
    homeDir: cwd,
    clock: fixedClock(new Date('2026-11-25T10:00:00Z')),
    logger: noopLogger,
    interactive: false,
  };
}

/** A fresh temporary directory; `dispose` removes it (use with `await using` or in finally). */
export function tempDir(prefix = 'ct-test-'): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

export function text(out: string | Uint8Array | undefined): string {
  if (out === undefined) return '';
  return typeof out === 'string' ? out : Buffer.from(out).toString('utf8');
}
