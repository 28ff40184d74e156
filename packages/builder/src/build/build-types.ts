// SPDX-License-Identifier: Apache-2.0
// The programmatic API of `cerro-torre build` (01 §6, §9): options, capabilities, result.
import type { Clock, Logger } from '@verified-container/shared';
import type { FetchLike } from '../debian/download.js';
import type { Exec } from '../debian/exec.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { KeyPassphrase } from '../signing/passphrase.js';
import type { StreamExec } from '../steps/exec.js';
import type { ComposerRunner, Fetcher } from '../steps/step-context.js';
import type { PullImage } from './base-image.js';
import type { BuildProgress } from './progress.js';

export interface BuildOptions {
  /** The manifest as given on the command line (relative to `cwd` or absolute). */
  readonly manifest: string;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
  /** `$VC_ROOT`. */
  readonly root: string;
  /** `--out` (default `./dist`), relative to `cwd`. */
  readonly outDir?: string;
  /** `--key` files to sign with (before the keyholders' `$VC_ROOT/keys/<name>.key`). */
  readonly keyFiles?: readonly string[];
  /** `--no-sign` (implies no publishing) / `--no-publish`. */
  readonly noSign?: boolean;
  readonly noPublish?: boolean;
  /** `--trust-store`. */
  readonly trustStore?: string;
  /** No --out files (a base built for another build). */
  readonly noOut?: boolean;
  /** `--frozen` (01 §5.2). */
  readonly frozen?: boolean;
  /** `--no-cache`: layer and build caches are ignored (downloads are still reused). */
  readonly noCache?: boolean;
  /** `--source-date-epoch` as given. */
  readonly sourceDateEpoch?: string;
  /** `--mirror` / `--security-mirror` (01 §5.1). */
  readonly mirror?: string;
  readonly securityMirror?: string;
}

/** What a build needs from the process; everything but env, clock and logger has a default. */
export interface BuildDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly progress?: BuildProgress;
  /** Runs apt-get, gpgv and dpkg-deb (default: child processes). */
  readonly exec?: Exec;
  /** Host filters of archive steps (`xz -dc`). */
  readonly streamExec?: StreamExec;
  /** Downloads of .deb files (default: global fetch). */
  readonly fetch?: FetchLike;
  /** Downloads of `fetch` steps (default: HttpFetcher). */
  readonly fetcher?: Fetcher;
  /** Runs `composer-require` (default: composer from the image, in the runc build sandbox). */
  readonly composer?: ComposerRunner;
  /** Runs maintainer scripts of `install = "configure"` (default: runc). */
  readonly sandbox?: Sandbox;
  /** Home directory of the registry auth file `~/.docker/config.json` (default: the process's). */
  readonly homeDir?: string;
  /**
   * The passphrase of encrypted keys, asked only when one is met (the command: --passphrase-file,
   * CT_KEY_PASSPHRASE, a prompt on a terminal); default `CT_KEY_PASSPHRASE`, never a prompt.
   */
  readonly passphrase?: KeyPassphrase;
  /** Effective uid of the builder (default: the process's). */
  readonly uid?: number;
  /** Where the shipped base manifests are (default: the repository's `manifests/base`). */
  readonly shippedBasesDir?: string;
  /** Pulls a registry base into the store (default: none; registry bases are refused). */
  readonly pull?: PullImage;
  /** UUID v4 of the provenance's invocationId (default: crypto.randomUUID). */
  readonly randomUUID?: () => string;
}

export type LayerKindName = 'base' | 'packages' | 'steps';

/** One layer of the built image, bottom-up. */
export interface LayerReport {
  readonly kind: LayerKindName;
  /** `sha256:` of the gzip blob. */
  readonly digest: string;
  /** `sha256:` of the uncompressed tar. */
  readonly diffId: string;
  /** Bytes of the gzip blob. */
  readonly size: number;
  /** Taken from the layer cache (or the base) rather than packed by this build. */
  readonly cached: boolean;
}

/** `status` of 01 §9. */
export type BuildStatus = 'published' | 'signed' | 'pending-signatures' | 'unsigned';

export interface BuildResult {
  readonly status: BuildStatus;
  readonly image: {
    readonly name: string;
    /** `version` first, then the `[export.oci] tags`. */
    readonly tags: readonly string[];
    /** `sha256:` of the image manifest. */
    readonly digest: string;
    readonly layers: readonly LayerReport[];
  };
  /** Absolute paths of the --out files. */
  readonly package: string;
  readonly bundle: string;
  readonly sbom: { readonly path: string; readonly packages: number };
  readonly provenance: string;
  readonly lock: { readonly path: string; readonly written: boolean };
  readonly signatures: {
    /** `k-of-n` of `[attestations.signing]`, or null when no keyholders are named. */
    readonly threshold: string | null;
    readonly keyholders: readonly string[];
    readonly signedBy: readonly string[];
    readonly met: boolean;
  };
  readonly transparency: {
    readonly agreement: string | null;
    readonly entries: readonly { readonly logId: string; readonly logIndex: number }[];
    readonly published: boolean;
  };
  /** The whole build came from the build cache (nothing downloaded or packed). */
  readonly cached: boolean;
  readonly durationMs: number;
  /** The bundle directory in the store (`bundles/sha256-<hex>`). */
  readonly bundleDir: string;
}
