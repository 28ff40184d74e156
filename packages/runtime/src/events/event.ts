// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** What an event is about (05 §12.1). */
export type EventType = 'container' | 'image' | 'volume' | 'network';

/** One line of `vordr/events.jsonl` and of `GET /v1/events` (05 §12.1). */
export interface VordrEvent {
  /** RFC 3339 with milliseconds. */
  readonly time: string;
  readonly type: EventType;
  /** `create`, `start`, `die`, `stop`, `destroy`, `load`, `rm`, … */
  readonly action: string;
  /** The object's id (container id, image digest, volume or network name). */
  readonly id: string;
  readonly name?: string;
  /** `X-Vordr-Actor` of the API request, else `cli:<uid>`. */
  readonly actor: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** An event before it is stamped with the time. */
export type EventInput = Omit<VordrEvent, 'time' | 'attributes'> & {
  readonly attributes?: Readonly<Record<string, string>>;
};

/** A parsed `GET /v1/events` selection: time window and `filter=K=V` (AND across keys, OR within). */
export interface EventSelection {
  readonly sinceMs?: number;
  readonly untilMs?: number;
  readonly filters: ReadonlyMap<string, readonly string[]>;
}

const FILTER_KEYS = ['type', 'action', 'event', 'id', 'name', 'container', 'actor', 'label'];

/** `filter=K=V` values as a map; an unknown key or a missing `=` is `USAGE`. */
export function parseEventFilters(filters: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of filters) {
    const eq = f.indexOf('=');
    const key = eq < 0 ? '' : f.slice(0, eq);
    if (!FILTER_KEYS.includes(key)) {
      throw new VcError('USAGE', `invalid event filter ${JSON.stringify(f)}`, {
        hint: `K=V with K one of ${FILTER_KEYS.join(', ')}`,
      });
    }
    const norm = key === 'event' ? 'action' : key;
    out.set(norm, [...(out.get(norm) ?? []), f.slice(eq + 1)]);
  }
  return out;
}

/** Whether an event passes a selection (time window and every filter key). */
export function matchesEvent(event: VordrEvent, selection: EventSelection): boolean {
  const t = Date.parse(event.time);
  if (selection.sinceMs !== undefined && t < selection.sinceMs) return false;
  if (selection.untilMs !== undefined && t > selection.untilMs) return false;
  for (const [key, values] of selection.filters) {
    if (!values.some((v) => matchesOne(event, key, v))) return false;
  }
  return true;
}

function matchesOne(event: VordrEvent, key: string, value: string): boolean {
  switch (key) {
    case 'type':
      return event.type === value;
    case 'action':
      return event.action === value;
    case 'id':
      return value !== '' && event.id.startsWith(value);
    case 'name':
      return event.name === value;
    case 'container':
      return (
        event.type === 'container' &&
        (event.name === value || (value !== '' && event.id.startsWith(value)))
      );
    case 'actor':
      return event.actor === value;
    case 'label': {
      const eq = value.indexOf('=');
      const k = eq < 0 ? value : value.slice(0, eq);
      const attr = event.attributes[`label.${k}`];
      return attr !== undefined && (eq < 0 || attr === value.slice(eq + 1));
    }
    default:
      return false;
  }
}

/** One line of the events file, or undefined for a torn or foreign line (skipped). */
export function parseEventLine(line: string): VordrEvent | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as Partial<VordrEvent>;
    if (
      typeof value.time !== 'string' ||
      typeof value.type !== 'string' ||
      typeof value.action !== 'string' ||
      typeof value.id !== 'string'
    ) {
      return undefined;
    }
    return {
      time: value.time,
      type: value.type,
      action: value.action,
      id: value.id,
      ...(typeof value.name === 'string' ? { name: value.name } : {}),
      actor: typeof value.actor === 'string' ? value.actor : '',
      attributes: value.attributes ?? {},
    };
  } catch {
    return undefined;
  }
}
