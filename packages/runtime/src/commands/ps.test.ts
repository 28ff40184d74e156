// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { ContainerRecord } from '../container/index.js';
import { resolveContainerReference } from '../store/index.js';
import { assertPsFilters, matchesFilters, psJson, psTable } from './ps.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function record(over: Partial<ContainerRecord>): ContainerRecord {
  return {
    id: 'a'.repeat(64),
    name: 'web',
    state: 'running',
    image: 'vt/hello:1.0.0',
    imageDigest: `sha256:${'b'.repeat(64)}`,
    command: ['/bin/sh', '-c', 'echo out; while :; do sleep 1; done'],
    createdAt: '2026-01-01T11:50:00Z',
    startedAt: '2026-01-01T11:55:00Z',
    decision: 'ALLOW',
    deviations: [],
    checks: [],
    autoRemove: false,
    stopTimeout: 10,
    volumes: [],
    labels: { tier: 'front' },
    hostname: 'web',
    selinuxLabel: 'system_u:system_r:container_t:s0:c1,c2',
    ...over,
  };
}

describe('ps', () => {
  it('prints the table with short ids, a cut command and the status', () => {
    const out = psTable([record({})], NOW, false).split('\n');
    expect(out[0]).toMatch(
      /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\s+VERIFIED$/,
    );
    expect(out[1]).toContain('aaaaaaaaaaaa   vt/hello:1.0.0');
    expect(out[1]).toContain('"/bin/sh -c echo out…"');
    expect(out[1]).toContain('10 minutes ago');
    expect(out[1]).toMatch(/Up 5 minutes\s+web\s+ALLOW$/);
  });

  it('PORTS holds the published ports of a running container, between STATUS and NAMES', () => {
    const ports = [
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' as const },
      { hostIp: '127.0.0.1', hostPort: 9000, containerPort: 9000, protocol: 'tcp' as const },
    ];
    const running = record({ ports });
    const exited = record({
      id: 'c'.repeat(64),
      name: 'old',
      state: 'exited',
      exitCode: 0,
      finishedAt: '2026-01-01T11:59:00Z',
      ports,
    });
    const out = psTable([running, exited], NOW, false).split('\n');
    const at = out[0]!.indexOf('PORTS');
    expect(out[1]!.slice(at)).toMatch(
      /^0\.0\.0\.0:8080->80\/tcp, 127\.0\.0\.1:9000->9000\/tcp\s+web\s+ALLOW$/,
    );
    expect(out[1]!.slice(0, at)).toMatch(/Up 5 minutes\s+$/);
    // Not running: no ports, as docker.
    expect(out[2]!.slice(at)).toMatch(/^\s+old\s+ALLOW$/);
    expect(out[0]!.indexOf('NAMES')).toBe(out[1]!.indexOf('web'));
  });

  it('--no-trunc keeps the full id and command', () => {
    const out = psTable([record({})], NOW, true);
    expect(out).toContain('a'.repeat(64));
    expect(out).toContain('"/bin/sh -c echo out; while :; do sleep 1; done"');
  });

  it('--format json carries state, status, decision and deviations', () => {
    expect(
      psJson(record({ state: 'exited', exitCode: 3, finishedAt: '2026-01-01T11:59:00Z' }), NOW),
    ).toMatchObject({
      state: 'exited',
      status: 'Exited (3) About a minute ago',
      exitCode: 3,
      decision: 'ALLOW',
      deviations: [],
    });
  });

  it('filters by name, status and label', () => {
    const r = record({});
    expect(matchesFilters(r, ['name=we', 'status=running', 'label=tier=front'])).toBe(true);
    expect(matchesFilters(r, ['label=tier=back'])).toBe(false);
    expect(matchesFilters(r, ['status=exited'])).toBe(false);
  });

  it('filters by id prefix, as docker does, and refuses a filter it does not know', () => {
    const r = record({});
    expect(matchesFilters(r, [`id=${r.id.slice(0, 5)}`])).toBe(true);
    expect(matchesFilters(r, [`id=${r.id}`])).toBe(true);
    expect(matchesFilters(r, ['id=ffff'])).toBe(false);
    expect(() => assertPsFilters(['name=web', 'id=ab'])).not.toThrow();
    for (const bad of ['foo=bar', 'name', 'ancestor=x']) {
      expect(() => assertPsFilters([bad])).toThrow(
        expect.objectContaining({ code: 'USAGE', message: `invalid filter "${bad}"` }),
      );
    }
  });

  it('references resolve id, name, then unique prefix', () => {
    const a = record({});
    const b = record({ id: `ab${'c'.repeat(62)}`, name: 'db' });
    expect(resolveContainerReference('db', [a, b])).toBe(b);
    expect(resolveContainerReference('aaa', [a, b])).toBe(a);
    expect(() => resolveContainerReference('a', [a, b])).toThrow(/matches 2 containers/);
  });

  it('filters on health and shows health and restartCount in JSON', () => {
    const healthcheck = {
      test: ['true'],
      intervalMs: 1000,
      timeoutMs: 1000,
      retries: 3,
      startPeriodMs: 0,
      onFailure: 'none' as const,
    };
    const plain = record({});
    const starting = record({ healthcheck });
    const healthy = record({
      healthcheck,
      health: { status: 'healthy', failingStreak: 0, log: [] },
      restartCount: 2,
    });
    expect(matchesFilters(plain, ['health=none'])).toBe(true);
    expect(matchesFilters(plain, ['health=healthy'])).toBe(false);
    expect(matchesFilters(starting, ['health=starting'])).toBe(true);
    expect(matchesFilters(healthy, ['health=healthy'])).toBe(true);
    expect(matchesFilters(healthy, ['health=unhealthy'])).toBe(false);
    expect(psJson(healthy, NOW)).toMatchObject({
      health: { status: 'healthy', failingStreak: 0 },
      restartCount: 2,
      status: 'Up 5 minutes (healthy)',
    });
    expect(psJson(plain, NOW)).not.toHaveProperty('health');
    expect(psJson(plain, NOW).restartCount).toBe(0);
  });
});
