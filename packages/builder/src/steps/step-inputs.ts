// SPDX-License-Identifier: Apache-2.0
import { compareByPathBytes } from '@verified-container/shared/image';

/** A download made by a `fetch` step (the lock's `fetches`, 01 §5.2). */
export interface FetchedInput {
  /** Index of the step in `build.steps`. */
  readonly step: number;
  readonly url: string;
  /** Lowercase sha256 hex of the bytes (also their key in the content store). */
  readonly sha256: string;
  readonly size: number;
}

/** A build-context file the steps read (provenance, `.ctp` `source/context/**`). */
export interface ContextInput {
  /** Path relative to the build context, `/`-separated, as the steps named it. */
  readonly path: string;
  /** Lowercase sha256 hex (also the key in the content store). */
  readonly sha256: string;
  readonly size: number;
  /** 0755 if the host file had any x bit, else 0644: all the steps take from the host. */
  readonly mode: number;
}

/** What a `composer-require` step wrote, for the lock's `composer` (01 §5.2). */
export interface ComposerInput {
  readonly step: number;
  readonly composerJson: string;
  readonly composerLock: string;
}

/** Every input the steps read, in the order they were read. */
export class StepInputs {
  readonly #fetches: FetchedInput[] = [];
  readonly #context = new Map<string, ContextInput>();
  readonly #composer: ComposerInput[] = [];

  recordFetch(input: FetchedInput): void {
    this.#fetches.push(input);
  }

  /** A context file read twice is recorded once (the last read wins). */
  recordContextFile(input: ContextInput): void {
    this.#context.set(input.path, input);
  }

  recordComposer(input: ComposerInput): void {
    this.#composer.push(input);
  }

  /** Downloads, in step order. */
  get fetches(): readonly FetchedInput[] {
    return [...this.#fetches];
  }

  /** Context files read, sorted by path bytes. */
  get contextFiles(): readonly ContextInput[] {
    return [...this.#context.values()].sort((a, b) => compareByPathBytes(a.path, b.path));
  }

  get composer(): readonly ComposerInput[] {
    return [...this.#composer];
  }
}
