// SPDX-License-Identifier: Apache-2.0
// The steps layer (01 §3): declarative build steps on an in-memory root filesystem.
export { runSteps } from './run-steps.js';
export type { RootFsOptions, NewEntry } from './rootfs.js';
export { RootFs, parseMode } from './rootfs.js';
export { resolveInRoot, MAX_SYMLINK_HOPS } from './rootfs-path.js';
export type {
  StepContext,
  StepEnv,
  StepOf,
  Fetcher,
  ComposerRunner,
  ComposerRequest,
  ComposerResult,
  ComposerRepositoryInput,
  ContextTreeEntry,
  RootFsChange,
  ArchiveLimits,
} from './step-context.js';
export { DEFAULT_ARCHIVE_LIMITS, DEFAULT_MAX_FETCH_BYTES } from './step-context.js';
export type { FetchedInput, ContextInput, ComposerInput } from './step-inputs.js';
export { StepInputs } from './step-inputs.js';
export type { HttpFetcherOptions } from './http-fetcher.js';
export { HttpFetcher, DEFAULT_HTTP_FETCHER_OPTIONS, redactUrl } from './http-fetcher.js';
export type { StreamExec, PipeOptions } from './exec.js';
export { ChildProcessStreamExec } from './exec.js';
export type { ContextItem } from './context-dir.js';
export { ContextDir } from './context-dir.js';
