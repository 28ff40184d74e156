// SPDX-License-Identifier: Apache-2.0
import { noopLogger, type Clock } from '@verified-container/shared';
import type { CliDeps, OutputWriter } from './deps.js';

/** A writer that keeps what it was given (tests). */
export class BufferWriter implements OutputWriter {
  readonly #chunks: Buffer[] = [];

  write(chunk: string | Uint8Array): void {
    this.#chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

/** CliDeps for tests: buffered output, a silent logger, a fixed or given clock. */
export function testDeps(
  overrides: Partial<CliDeps> = {},
): CliDeps & { stdout: BufferWriter; stderr: BufferWriter } {
  const clock: Clock = overrides.clock ?? { now: () => new Date('2026-01-01T00:00:00Z') };
  return {
    env: {},
    cwd: '/',
    uid: 0,
    homeDir: '/root',
    clock,
    logger: noopLogger,
    ...overrides,
    stdout: new BufferWriter(),
    stderr: new BufferWriter(),
  };
}
