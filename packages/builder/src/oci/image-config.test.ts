// SPDX-License-Identifier: Apache-2.0
import { canonicalize } from '@verified-container/shared/json';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH, buildImageConfig, mergeEnv, type ImageConfigInput } from './image-config.js';

const diff = (c: string) => `sha256:${c.repeat(64)}`;

const input: ImageConfigInput = {
  architecture: 'arm64',
  sourceDateEpoch: 1_700_000_000,
  author: 'Jane <jane@example.org>',
  base: {
    env: ['PATH=/usr/bin:/bin', 'LANG=C.UTF-8', 'TZ=UTC'],
    labels: { 'org.example.base': 'yes', shared: 'base' },
    cmd: ['/bin/sh'],
    exposedPorts: ['22/tcp'],
  },
  env: { TZ: 'Europe/Paris', APP_HOME: '/srv', DB_HOST: '${DB_HOST:-db:3306}' },
  user: 'www-data:www-data',
  entrypoint: ['/usr/bin/app'],
  workingDir: '/srv',
  exposedPorts: ['80/tcp', '53/udp'],
  volumes: ['/srv/data'],
  labels: { shared: 'manifest', 'org.opencontainers.image.title': 'app' },
  stopSignal: 'SIGQUIT',
  healthcheck: {
    command: ['curl', '-f', 'http://localhost/'],
    intervalNs: 30e9,
    timeoutNs: 5e9,
    startPeriodNs: 0,
    retries: 3,
  },
  layers: [
    { diffId: diff('1'), origin: { kind: 'base', ref: 'cerro-torre/debian:bookworm' } },
    { diffId: diff('2'), origin: { kind: 'packages', count: 12 } },
    { diffId: diff('3'), origin: { kind: 'steps', count: 4 } },
  ],
};

describe('mergeEnv', () => {
  it('keeps base order, replaces a key in place, appends the rest sorted', () => {
    expect(mergeEnv(['PATH=/bin', 'B=1', 'A=2'], { Z: 'z', B: 'x', C: 'c' })).toEqual([
      'PATH=/bin',
      'B=x',
      'A=2',
      'C=c',
      'Z=z',
    ]);
  });

  it('defaults PATH in front when the base has none', () => {
    expect(mergeEnv([], { A: '1' })).toEqual([`PATH=${DEFAULT_PATH}`, 'A=1']);
    expect(mergeEnv(['X=1'], { PATH: '/opt/bin' })).toEqual(['PATH=/opt/bin', 'X=1']);
  });

  it('stores runtime variables verbatim', () => {
    expect(mergeEnv([], { DB: '${DB_HOST:-db:3306}' })).toContain('DB=${DB_HOST:-db:3306}');
  });
});

describe('buildImageConfig', () => {
  it('builds the 02 §2 config', () => {
    expect(buildImageConfig(input)).toEqual({
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      created: '2023-11-14T22:13:20Z',
      author: 'Jane <jane@example.org>',
      config: {
        User: 'www-data:www-data',
        ExposedPorts: { '22/tcp': {}, '80/tcp': {}, '53/udp': {} },
        Env: [
          'PATH=/usr/bin:/bin',
          'LANG=C.UTF-8',
          'TZ=Europe/Paris',
          'APP_HOME=/srv',
          'DB_HOST=${DB_HOST:-db:3306}',
        ],
        Entrypoint: ['/usr/bin/app'],
        Cmd: ['/bin/sh'],
        WorkingDir: '/srv',
        Volumes: { '/srv/data': {} },
        Labels: {
          'org.example.base': 'yes',
          shared: 'manifest',
          'org.opencontainers.image.title': 'app',
        },
        StopSignal: 'SIGQUIT',
        Healthcheck: {
          Test: ['CMD', 'curl', '-f', 'http://localhost/'],
          Interval: 30_000_000_000,
          Timeout: 5_000_000_000,
          StartPeriod: 0,
          Retries: 3,
        },
      },
      rootfs: { type: 'layers', diff_ids: [diff('1'), diff('2'), diff('3')] },
      history: [
        {
          created: '2023-11-14T22:13:20Z',
          created_by: 'cerro-torre: base cerro-torre/debian:bookworm',
        },
        { created: '2023-11-14T22:13:20Z', created_by: 'cerro-torre: packages (12)' },
        { created: '2023-11-14T22:13:20Z', created_by: 'cerro-torre: steps (4)' },
      ],
    });
  });

  it('omits what is unset and has no variant on amd64', () => {
    const config = buildImageConfig({ architecture: 'amd64', sourceDateEpoch: 0, layers: [] });
    expect(canonicalize(config)).toBe(
      `{"architecture":"amd64","config":{"Env":["PATH=${DEFAULT_PATH}"]},"created":"1970-01-01T00:00:00Z",` +
        '"history":[],"os":"linux","rootfs":{"diff_ids":[],"type":"layers"}}',
    );
  });

  it('maps Debian architecture names to OCI ones', () => {
    const arch = (a: string) => {
      const c = buildImageConfig({ architecture: a, sourceDateEpoch: 0, layers: [] });
      return [c['architecture'], c['variant']];
    };
    expect(arch('armhf')).toEqual(['arm', 'v7']);
    expect(arch('i386')).toEqual(['386', undefined]);
    expect(arch('ppc64el')).toEqual(['ppc64le', undefined]);
    expect(() => arch('mips')).toThrow(expect.objectContaining({ code: 'BUILD_ARCH_UNSUPPORTED' }));
  });
});
