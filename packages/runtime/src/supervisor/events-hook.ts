// SPDX-License-Identifier: Apache-2.0
// Where the supervisor's events (05 §6, §12) leave it: health transitions, restarts, exits seen.
// The events writer is built elsewhere (events/); the lead wires it in here, in one place.
import type { LifecycleContext } from '../container/index.js';

/** One supervisor event, in the vocabulary of 05 §12 (`health_status`, `restart`, `die`). */
export type SupervisorEvent =
  | {
      readonly action: 'health_status';
      readonly id: string;
      readonly name: string;
      readonly status: 'starting' | 'healthy' | 'unhealthy';
    }
  | {
      readonly action: 'restart';
      readonly id: string;
      readonly name: string;
      readonly restartCount: number;
      readonly reason: 'policy' | 'health';
    }
  | {
      readonly action: 'restart_failed';
      readonly id: string;
      readonly name: string;
      readonly errorCode: string;
    }
  | {
      readonly action: 'health_action';
      readonly id: string;
      readonly name: string;
      readonly onFailure: 'kill' | 'restart' | 'stop';
    };

/** Emits a supervisor event. Today: a log line only (the lead connects the events writer). */
export function emitSupervisorEvent(ctx: LifecycleContext, event: SupervisorEvent): void {
  ctx.logger.info({ event }, `supervisor event ${event.action}`);
}
