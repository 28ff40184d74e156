// SPDX-License-Identifier: Apache-2.0
import type { Clock, Logger } from '@verified-container/shared';
import type { LifecycleContext } from '../container/index.js';

/** What the routes need, built once by `vordr daemon`. */
export interface DaemonDeps {
  /** The store every request works on. */
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly uid: number;
  /** `--runtime` of the daemon (info). */
  readonly runtime?: string;
  /** The lifecycle context of one request; `actor` goes into the events it causes. */
  readonly contextFor: (actor: string) => LifecycleContext;
}
