// SPDX-License-Identifier: Apache-2.0
import type {
  ContainerExit,
  ContainerStartRequest,
  ExecOptions,
  ExecProcess,
  ExecResult,
  RuncContainerState,
  StartedContainer,
} from './conmon-runc-engine.js';

/** Which program runs a container (05 §3 `--runtime`, §14); a container keeps its backend. */
export type Backend = 'runc' | 'podman';

/** The runtime's view of a container (`runc state`, or podman's inspect mapped onto it). */
export type ContainerRuntimeState = RuncContainerState;

/**
 * What the container lifecycle needs from a backend (05 §4.7, §7, §13): start a prepared bundle,
 * signal, stop, wait for and read the exit, delete, exec. Every method takes vordr's container id.
 */
export interface Engine {
  readonly backend: Backend;
  /** Fails with `RUNTIME_UNAVAILABLE` naming a missing binary (before anything is created). */
  preflight(): Promise<void>;
  start(request: ContainerStartRequest): Promise<StartedContainer>;
  /** The runtime's state, or undefined when it does not know the container. */
  state(id: string): Promise<ContainerRuntimeState | undefined>;
  /** The pid of the container's live monitor (conmon). */
  conmonPid(id: string): Promise<number | undefined>;
  /** The recorded exit status, or undefined while there is none. */
  exitStatus(id: string): Promise<number | undefined>;
  /** A file that exists once the container has exited (and its log is complete). */
  exitFile(id: string): string;
  /** The directory of those files. */
  readonly exitDir: string;
  kill(id: string, signal: string, options?: { all?: boolean }): Promise<void>;
  stop(id: string, graceSeconds: number, stopSignal?: string): Promise<ContainerExit>;
  waitForExit(
    id: string,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ContainerExit | undefined>;
  /** Removes the container from the runtime and the host (idempotent). */
  delete(id: string, options?: { awaitMonitor?: boolean }): Promise<void>;
  waitForMonitorGone(id: string, pid: number): Promise<void>;
  exec(id: string, spec: ExecProcess, options?: ExecOptions): Promise<ExecResult>;
}
