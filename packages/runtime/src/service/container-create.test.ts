// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { createFromRunFlags } from '../client/cli-daemon.js';
import { runRequestFromCreate } from './container-create.js';

describe('ContainerCreate → run request', () => {
  it('maps each field onto the flag it behaves as', () => {
    const r = runRequestFromCreate({
      image: 'hello:1.0',
      name: 'web',
      command: ['/bin/sh', '-c', 'echo hi'],
      entrypoint: [],
      environment: { MODE: 'prod' },
      volumes: [
        { source: 'data', target: '/data', options: ['nocopy'] },
        { source: '/srv', target: '/srv', readOnly: true },
        { type: 'tmpfs', target: '/cache', options: 'size=64m' },
      ],
      networks: ['none'],
      selinux: { type: 'container_t', level: 's0:c1,c2' },
      seccompProfile: 'unconfined',
      memory: '256m',
      cpus: 1.5,
      pidsLimit: 100,
      ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 64 },
      stopTimeout: 3,
      labels: { tier: 'front' },
      remove: true,
      start: false,
    });
    expect(r).toEqual({
      image: 'hello:1.0',
      command: ['/bin/sh', '-c', 'echo hi'],
      start: false,
      flags: {
        detach: true,
        name: 'web',
        entrypoint: '[]',
        env: ['MODE=prod'],
        volume: ['data:/data:nocopy', '/srv:/srv:ro'],
        tmpfs: ['/cache:size=64m'],
        network: ['none'],
        securityOpt: ['label=type:container_t', 'label=level:s0:c1,c2', 'seccomp=unconfined'],
        memory: '256m',
        cpus: '1.5',
        pidsLimit: '100',
        ulimit: ['nofile=1024:2048', 'nproc=64'],
        stopTimeout: '3',
        label: ['tier=front'],
        rm: true,
      },
    });
  });

  it('maps the healthcheck onto the --health-* flags', () => {
    expect(
      runRequestFromCreate({
        image: 'a',
        healthcheck: { test: ['CMD-SHELL', 'wget -q localhost'], interval: '5s', retries: 2 },
      }).flags,
    ).toMatchObject({ healthCmd: 'wget -q localhost', healthInterval: '5s', healthRetries: '2' });
    expect(
      runRequestFromCreate({ image: 'a', healthcheck: { test: ['CMD', '/bin/true'] } }).flags
        .healthCmd,
    ).toBe('["/bin/true"]');
    expect(
      runRequestFromCreate({ image: 'a', healthcheck: { disable: true } }).flags.healthcheck,
    ).toBe(false);
    const body = createFromRunFlags(
      { healthCmd: 'true', healthTimeout: '3s', healthcheck: true },
      'a',
      [],
      {},
    );
    expect(runRequestFromCreate(body).flags).toMatchObject({
      healthCmd: 'true',
      healthTimeout: '3s',
    });
  });

  it('refuses unknown fields, a missing image and bad shapes with VALIDATION_FAILED', () => {
    for (const body of [
      { image: 'a', colour: 'red' },
      { name: 'x' },
      { image: 'a', volumes: [{ source: 'x' }] },
      { image: 'a', envFiles: ['relative.env'] },
      { image: 'a', networks: [1] },
      { image: 'a', ulimits: { nofile: [] } },
    ]) {
      expect(() => runRequestFromCreate(body), JSON.stringify(body)).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    }
  });

  it('run -d flags survive the trip through ContainerCreate', () => {
    const flags = {
      detach: true,
      name: 'web',
      env: ['A=1', 'FROM_CALLER'],
      label: ['k=v'],
      volume: ['data:/data:ro,nocopy'],
      tmpfs: ['/cache:size=1m'],
      network: ['none'],
      readOnly: true,
      capDrop: ['ALL'],
      pidsLimit: '50',
      ulimit: ['nofile=10:20'],
      stopTimeout: '2',
      rm: true,
      cache: true,
    };
    const body = createFromRunFlags(flags, 'hello:1.0', ['/bin/true'], { FROM_CALLER: 'x' });
    expect(body).toBeDefined();
    const back = runRequestFromCreate(JSON.parse(JSON.stringify(body)));
    expect(back.flags).toEqual({
      detach: true,
      name: 'web',
      env: ['A=1', 'FROM_CALLER=x'],
      label: ['k=v'],
      volume: ['data:/data:ro,nocopy'],
      tmpfs: ['/cache:size=1m'],
      network: ['none'],
      readOnly: true,
      capDrop: ['ALL'],
      pidsLimit: '50',
      ulimit: ['nofile=10:20'],
      stopTimeout: '2',
      rm: true,
    });
    expect(back.command).toEqual(['/bin/true']);
  });

  it('flags without a field (or tied to the caller’s files) run directly', () => {
    expect(createFromRunFlags({ envFile: ['x.env'] }, 'a', [], {})).toBeUndefined();
    expect(createFromRunFlags({ trustStore: 't.json' }, 'a', [], {})).toBeUndefined();
    expect(createFromRunFlags({}, './app.ctp', [], {})).toBeUndefined();
    expect(createFromRunFlags({ somethingNew: 'x' } as object, 'a', [], {})).toBeUndefined();
  });
});
