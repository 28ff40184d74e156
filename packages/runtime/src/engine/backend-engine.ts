// SPDX-License-Identifier: Apache-2.0
import { basename } from 'node:path';
import type {
  ContainerExit,
  ContainerStartRequest,
  ExecOptions,
  ExecProcess,
  ExecResult,
  StartedContainer,
} from './conmon-runc-engine.js';
import type { Backend, ContainerRuntimeState, Engine } from './engine.js';

/**
 * `--runtime runc|podman|PATH` (05 §3): the backend and, for a path, its binary. A path whose
 * file name is `podman` is podman; any other path is runc.
 */
export function backendOfRuntime(runtime: string | undefined): {
  readonly backend: Backend;
  readonly binary?: string;
} {
  if (runtime === undefined || runtime === '' || runtime === 'runc') return { backend: 'runc' };
  if (runtime === 'podman') return { backend: 'podman' };
  return basename(runtime) === 'podman'
    ? { backend: 'podman', binary: runtime }
    : { backend: 'runc', binary: runtime };
}

export interface BackendEngineOptions {
  /** The backend of containers created now (`--runtime`). */
  readonly backend: Backend;
  /** Makes the engine of a backend (called at most once per backend). */
  readonly create: (backend: Backend) => Engine;
  /** The backend a container was created with (its record), undefined when it has no record. */
  readonly backendOf: (id: string) => Promise<Backend | undefined>;
}

/**
 * The engine of the lifecycle: each call goes to the engine of the backend the container was
 * created with (05 §14: a container stays on its backend, whatever `--runtime` says now); a
 * container without a record yet goes to `--runtime`'s.
 */
export class BackendEngine implements Engine {
  readonly backend: Backend;
  readonly #create: (backend: Backend) => Engine;
  readonly #backendOf: (id: string) => Promise<Backend | undefined>;
  readonly #engines = new Map<Backend, Engine>();
  readonly #known = new Map<string, Backend>();

  constructor(options: BackendEngineOptions) {
    this.backend = options.backend;
    this.#create = options.create;
    this.#backendOf = options.backendOf;
  }

  /** The engine of one backend. */
  engine(backend: Backend): Engine {
    let engine = this.#engines.get(backend);
    if (engine === undefined) {
      engine = this.#create(backend);
      this.#engines.set(backend, engine);
    }
    return engine;
  }

  /** The engine of a container. */
  async engineOf(id: string): Promise<Engine> {
    let backend = this.#known.get(id);
    if (backend === undefined) {
      const recorded = await this.#backendOf(id);
      if (recorded !== undefined) this.#known.set(id, recorded);
      backend = recorded ?? this.backend;
    }
    return this.engine(backend);
  }

  /** The engine of new containers (`--runtime`) can run. */
  preflight(): Promise<void> {
    return this.engine(this.backend).preflight();
  }

  /**
   * conmon's exit directory of runc containers (the supervisor watches it). podman writes no
   * exit file of its own: its containers' exits are read with `exitStatus` (podman inspect).
   */
  get exitDir(): string {
    return this.engine('runc').exitDir;
  }

  exitFile(id: string): string {
    return this.engine(this.#known.get(id) ?? this.backend).exitFile(id);
  }

  async start(request: ContainerStartRequest): Promise<StartedContainer> {
    return (await this.engineOf(request.id)).start(request);
  }

  async state(id: string): Promise<ContainerRuntimeState | undefined> {
    return (await this.engineOf(id)).state(id);
  }

  async conmonPid(id: string): Promise<number | undefined> {
    return (await this.engineOf(id)).conmonPid(id);
  }

  async exitStatus(id: string): Promise<number | undefined> {
    return (await this.engineOf(id)).exitStatus(id);
  }

  async kill(id: string, signal: string, options?: { all?: boolean }): Promise<void> {
    return (await this.engineOf(id)).kill(id, signal, options);
  }

  async stop(id: string, graceSeconds: number, stopSignal?: string): Promise<ContainerExit> {
    return (await this.engineOf(id)).stop(id, graceSeconds, stopSignal);
  }

  async waitForExit(
    id: string,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<ContainerExit | undefined> {
    return (await this.engineOf(id)).waitForExit(id, options);
  }

  async delete(id: string, options?: { awaitMonitor?: boolean }): Promise<void> {
    return (await this.engineOf(id)).delete(id, options);
  }

  async waitForMonitorGone(id: string, pid: number): Promise<void> {
    return (await this.engineOf(id)).waitForMonitorGone(id, pid);
  }

  async exec(id: string, spec: ExecProcess, options?: ExecOptions): Promise<ExecResult> {
    return (await this.engineOf(id)).exec(id, spec, options);
  }
}
