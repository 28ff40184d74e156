// SPDX-License-Identifier: Apache-2.0
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noopLogger } from '@verified-container/shared';
import { matchesEvent, parseEventFilters, parseEventLine, type VordrEvent } from './event.js';
import { emitEvent, EVENTS_ROTATE_BYTES, followEvents, readEvents } from './event-log.js';

const base: VordrEvent = {
  time: '2026-01-01T00:00:10.000Z',
  type: 'container',
  action: 'start',
  id: 'abcdef0123456789',
  name: 'web',
  actor: 'cli:0',
  attributes: { image: 'hello:1.0', 'label.tier': 'front' },
};

describe('event filters', () => {
  it('keeps events inside the time window', () => {
    const filters = new Map();
    expect(matchesEvent(base, { filters, sinceMs: Date.parse('2026-01-01T00:00:00Z') })).toBe(true);
    expect(matchesEvent(base, { filters, sinceMs: Date.parse('2026-01-01T00:00:11Z') })).toBe(
      false,
    );
    expect(matchesEvent(base, { filters, untilMs: Date.parse('2026-01-01T00:00:09Z') })).toBe(
      false,
    );
  });

  it('ANDs keys and ORs values of one key', () => {
    const sel = (f: string[]) => ({ filters: parseEventFilters(f) });
    expect(matchesEvent(base, sel(['type=container', 'event=start']))).toBe(true);
    expect(matchesEvent(base, sel(['action=stop', 'action=start']))).toBe(true);
    expect(matchesEvent(base, sel(['type=image', 'action=start']))).toBe(false);
    expect(matchesEvent(base, sel(['container=web']))).toBe(true);
    expect(matchesEvent(base, sel(['container=abcdef']))).toBe(true);
    expect(matchesEvent(base, sel(['id=abcdef']))).toBe(true);
    expect(matchesEvent(base, sel(['id=']))).toBe(false);
    expect(matchesEvent(base, sel(['label=tier=front', 'actor=cli:0']))).toBe(true);
    expect(matchesEvent(base, sel(['label=tier=back']))).toBe(false);
  });

  it('refuses an unknown filter key with USAGE', () => {
    expect(() => parseEventFilters(['colour=red'])).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => parseEventFilters(['type'])).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });

  it('skips torn and foreign lines', () => {
    expect(parseEventLine('{"time":"x"')).toBeUndefined();
    expect(parseEventLine('{"a":1}')).toBeUndefined();
    expect(parseEventLine(JSON.stringify(base))).toEqual(base);
  });
});

describe('event log', () => {
  const clock = { now: () => new Date('2026-01-01T00:00:10Z') };

  it('appends, rotates at the limit and replays across the rotation', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vordr-events-'));
    try {
      const sink = { root, clock, logger: noopLogger, actor: 'svalinn:alice' };
      await emitEvent(sink, { type: 'volume', action: 'create', id: 'data' });
      const path = join(root, 'vordr', 'events.jsonl');
      // Fill the file past the limit with a padding line; the next emit rotates it.
      await writeFile(path, `${' '.repeat(EVENTS_ROTATE_BYTES)}\n`, { flag: 'a' });
      await emitEvent(sink, { type: 'volume', action: 'rm', id: 'data' });
      expect((await stat(`${path}.1`)).size).toBeGreaterThan(EVENTS_ROTATE_BYTES);
      const events = await readEvents(root, { filters: new Map() });
      expect(events.map((e) => [e.action, e.actor])).toEqual([
        ['create', 'svalinn:alice'],
        ['rm', 'svalinn:alice'],
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('follows: replays, then yields events appended later', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vordr-events-'));
    const abort = new AbortController();
    try {
      const sink = { root, clock, logger: noopLogger };
      await emitEvent(sink, { type: 'image', action: 'load', id: 'sha256:1' });
      const seen: string[] = [];
      const follow = (async () => {
        for await (const e of followEvents(
          root,
          { filters: new Map() },
          { signal: abort.signal, recheckMs: 50 },
        )) {
          seen.push(e.action);
          if (seen.length === 1)
            await emitEvent(sink, { type: 'image', action: 'rm', id: 'sha256:1' });
          if (seen.length === 2) abort.abort();
        }
      })();
      await follow;
      expect(seen).toEqual(['load', 'rm']);
    } finally {
      abort.abort();
      await rm(root, { recursive: true, force: true });
    }
  });
});
