// SPDX-License-Identifier: Apache-2.0
import type { Backend } from '../engine/index.js';
import type { HealthcheckConfig, HealthState } from '../health/index.js';
import type { FirewallSettings, PublishedPort } from '../firewall/index.js';
import type { ExtraHost, NetworkAttachment } from '../network/index.js';
import type { Deviation } from '../profile/index.js';
import type { RootfsMode } from '../rootfs/index.js';
import type { RestartPolicy } from '../supervisor/restart-policy.js';

/** A container's state (05 §2); `removing` marks a removal in progress (§13). */
export type ContainerState =
  'creating' | 'created' | 'running' | 'restarting' | 'exited' | 'dead' | 'removing';

/** A 05 §4.8 check line as stored on the container. */
export interface StoredCheck {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'warn' | 'skip';
  readonly detail: string;
}

/** An anonymous volume of `[runtime.volumes]` the container owns. */
export interface OwnedVolume {
  readonly name: string;
  readonly destination: string;
  /** `persistent` volumes survive `rm` without `-v`. */
  readonly persistent: boolean;
}

/** A `-v` mount of the run (`name` for a named volume), as `inspect` shows it. */
export interface RecordedMount {
  readonly type: 'bind' | 'volume';
  readonly source: string;
  readonly destination: string;
  readonly readonly: boolean;
  readonly name?: string;
}

/** `vordr/containers/<id>/container.json` (05 §13). */
export interface ContainerRecord {
  readonly id: string;
  readonly name: string;
  state: ContainerState;
  /** The reference as the user typed it. */
  readonly image: string;
  readonly imageDigest: string;
  /** `name:tag` when the image was found by a tag. */
  readonly imageRef?: string;
  /** `process.args`, for `ps`. */
  readonly command: readonly string[];
  readonly createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** null: the status was lost (05 §13). */
  exitCode?: number | null;
  /** Why the record says what it says when vordr inferred it ("exit status lost", …). */
  note?: string;
  pid?: number;
  conmonPid?: number;
  readonly decision: 'ALLOW' | 'WARN' | 'LOG';
  readonly deviations: readonly Deviation[];
  checks: readonly StoredCheck[];
  readonly autoRemove: boolean;
  /** Seconds between the stop signal and SIGKILL (`--stop-timeout`, default 10). */
  readonly stopTimeout: number;
  rootfsMode?: RootfsMode;
  readonly volumes: readonly OwnedVolume[];
  /** The run's `-v` mounts (named volumes in use are found here: `volume rm` says IN_USE). */
  readonly mounts?: readonly RecordedMount[];
  /** Whether `internal cleanup` ran for the latest exit. */
  cleanedUp?: boolean;
  /** A foreground `run` waiting for the exit: `--rm` removal is its job while it lives. */
  attachedBy?: { readonly pid: number; readonly startTime: number | null };
  /** conmon died while runc still runs the container (05 §13): no more log capture. */
  monitorLost?: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly hostname: string;
  readonly selinuxLabel: string;
  /** Who runs it (05 §14); a container stays on its backend. Absent in older records: runc. */
  readonly backend?: Backend;
  /** The container's cgroup when the backend chose it (podman: `/vordr/<id>/libpod-<podman id>`). */
  cgroupsPath?: string;
  /** The healthcheck (05 §6) resolved at `run`; absent: none. */
  healthcheck?: HealthcheckConfig;
  /** Health status and the last results, while there is a healthcheck. */
  health?: HealthState;
  /** `--restart` (05 §6); absent: `no`. */
  restartPolicy?: RestartPolicy;
  /** Restarts made by the policy (or `--health-on-failure restart`) since the last user start. */
  restartCount?: number;
  /** Quick restarts in a row: the backoff's exponent. */
  restartStreak?: number;
  /** State `restarting`: when the supervisor starts the container again. */
  restartAt?: string;
  /** A user's `stop`: no restarts until the next `start`. */
  stoppedByUser?: boolean;
  /** `--network` attachments in order (05 §4.6); absent or empty: `--network none`. */
  readonly networkAttachments?: NetworkAttachment[];
  /** `--add-host` entries for /etc/hosts. */
  readonly extraHosts?: readonly ExtraHost[];
  /** Egress, ingress and `-p` as asked at create time; absent when none (05 §4.6). */
  readonly firewall?: FirewallSettings;
  /** Published ports with their host ports, chosen at start. */
  ports?: readonly PublishedPort[];
}

/** The default stop grace period (05 §3 `stop -t`). */
export const DEFAULT_STOP_TIMEOUT = 10;
