// SPDX-License-Identifier: Apache-2.0
// The ports and context of the steps layer.
import type { Logger } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import type { ManifestStep } from '@verified-container/shared/manifest';
import type { ContextDir } from './context-dir.js';
import type { StreamExec } from './exec.js';
import type { RootFs } from './rootfs.js';
import type { StepInputs } from './step-inputs.js';

/** The parsed step of one action. */
export type StepOf<A extends ManifestStep['action']> = Extract<ManifestStep, { action: A }>;

/** Downloads for `fetch` steps. */
export interface Fetcher {
  /**
   * Opens an `http(s)://` URL and returns its body, byte for byte. The implementation enforces
   * the rules of the fetch row (01 §3): TLS verified, at most 5 redirects, never https → http,
   * at most 4 GiB, retries; failures are BUILD_FETCH_FAILED.
   */
  fetch(url: string): Promise<AsyncIterable<Uint8Array>>;
}

/** A file or directory of a composer path repository, already in the content store. */
export interface ContextTreeEntry {
  /** Relative to the repository root, `/`-separated; `''` is the root directory itself. */
  readonly path: string;
  readonly type: 'f' | 'd';
  readonly mode: number;
  /** sha256 hex in the content store ('' for directories). */
  readonly digest: string;
  readonly size: number;
}

export type ComposerRepositoryInput =
  | { readonly type: 'composer'; readonly url: string }
  | {
      readonly type: 'path';
      /** The context path as written in the manifest. */
      readonly url: string;
      /** The repository's files, read through the context rules (01 §3 safety rule 2). */
      readonly files: readonly ContextTreeEntry[];
    };

/** One `composer-require` step, ready to run in the build sandbox (01 §5.4). */
export interface ComposerRequest {
  readonly step: number;
  /** `vendor/name[:constraint]`. */
  readonly package: string;
  /** Working directory inside the rootfs. */
  readonly dir: string;
  /** The composer command line of 01 §3 (`composer require … --working-dir=<dir>`). */
  readonly argv: readonly string[];
  /** Path repositories are copied in (`symlink: false`), never linked. */
  readonly repositories: readonly ComposerRepositoryInput[];
  readonly packagist: boolean;
  /** Whether the sandbox gets a network: packagist or a `composer` repository. */
  readonly network: boolean;
  /** First 32 hex of sha256 of the step's JCS: composer's `autoloader-suffix`. */
  readonly autoloaderSuffix: string;
  /** The rootfs as it is before the step; read it, do not change it. */
  readonly rootfs: RootFs;
}

/** A change the sandbox made to the rootfs; `put` entries' contents are in the content store. */
export type RootFsChange =
  | { readonly kind: 'put'; readonly entry: FileEntry }
  | { readonly kind: 'remove'; readonly path: string };

export interface ComposerResult {
  /** Changes in order; paths canonical (parents before children). */
  readonly changes: readonly RootFsChange[];
  readonly composerJson: string;
  readonly composerLock: string;
}

/** Runs composer in the build sandbox. Failures are BUILD_COMPOSER_FAILED. */
export interface ComposerRunner {
  require(request: ComposerRequest): Promise<ComposerResult>;
}

/** Limits of 01 §3 safety rule 3. */
export interface ArchiveLimits {
  /** Total bytes of the unpacked files. */
  readonly maxBytes: number;
  readonly maxEntries: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxBytes: 4 * 1024 ** 3,
  maxEntries: 1_000_000,
};

/** Largest download of a `fetch` step (01 §3). */
export const DEFAULT_MAX_FETCH_BYTES = 4 * 1024 ** 3;

/** What {@link runSteps} needs. */
export interface StepContext {
  /** The table the steps change; its `mtime` must be `sourceDateEpoch`. */
  readonly rootfs: RootFs;
  /** Absolute path of the build context (`build.context` resolved against the manifest's directory). */
  readonly contextDir: string;
  /** SOURCE_DATE_EPOCH (01 §6.3), seconds. */
  readonly sourceDateEpoch: number;
  readonly fetcher: Fetcher;
  readonly composer: ComposerRunner;
  /** Host filters (`xz -dc` for `.tar.xz`). */
  readonly exec: StreamExec;
  readonly logger: Logger;
  /** Receives every input the steps read. */
  readonly inputs: StepInputs;
  /** Manifest file name for error messages (`php-aegis-wordpress.ctp`). */
  readonly manifestFile?: string;
  readonly archiveLimits?: ArchiveLimits;
  readonly maxFetchBytes?: number;
}

/** The context of one step, as the step functions see it. */
export interface StepEnv extends StepContext {
  /** Index of the step in `build.steps`. */
  readonly index: number;
  readonly context: ContextDir;
  readonly log: Logger;
}
