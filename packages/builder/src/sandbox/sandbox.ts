// SPDX-License-Identifier: Apache-2.0
// The port through which maintainer scripts and composer run (01 §5.4).
import type { SandboxBindMount, SandboxNetwork } from './runc-config.js';

export interface SandboxRequest {
  /** Absolute host directory mounted read-write as `/`. */
  readonly rootfs: string;
  /** Program and arguments; `argv[0]` is looked up in the sandbox's PATH by runc. */
  readonly argv: readonly string[];
  /** The whole environment of the program (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  /** Working directory inside the sandbox; default `/`. */
  readonly cwd?: string;
  /** Default `none` (only `lo`). */
  readonly network?: SandboxNetwork;
  readonly bindMounts?: readonly SandboxBindMount[];
  /** Wall-clock limit in milliseconds; the sandbox is killed when it is reached. */
  readonly timeoutMs: number;
}

export interface SandboxResult {
  /** The container's id (`ct-build-<random>`), for logs. */
  readonly containerId: string;
  /** The program's exit status; 128 + n when it was killed by signal n. */
  readonly exitCode: number;
  /** The last bytes (see `outputLimitBytes`) of stdout and stderr interleaved as they arrived. */
  readonly output: string;
  /** Set when the sandbox was killed by us (timeout). */
  readonly signal?: NodeJS.Signals;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

/** Runs one program in a fresh sandbox and removes every trace of the sandbox afterwards. */
export interface Sandbox {
  run(request: SandboxRequest): Promise<SandboxResult>;
}
