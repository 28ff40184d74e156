// SPDX-License-Identifier: Apache-2.0
// The event log of 05 §12: written by whichever process acts, replayed and followed by the daemon.
export type { EventInput, EventSelection, EventType, VordrEvent } from './event.js';
export { matchesEvent, parseEventFilters, parseEventLine } from './event.js';
export type { EventSink } from './event-log.js';
export { emitEvent, EVENTS_ROTATE_BYTES, followEvents, readEvents } from './event-log.js';
export { emitContainerEvent } from './container-event.js';
