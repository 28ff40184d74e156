// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';
import { testDeps } from '../cli/test-deps.js';
import { runSupervision } from './run-flags.js';

describe('run flags: healthcheck and restart policy', () => {
  it('resolves --health-* and --restart for the record', () => {
    expect(
      runSupervision(
        {
          healthCmd: 'true',
          healthInterval: '2s',
          healthOnFailure: 'kill',
          restart: 'on-failure:5',
        },
        undefined,
      ),
    ).toEqual({
      healthcheck: {
        test: ['/bin/sh', '-c', 'true'],
        intervalMs: 2000,
        timeoutMs: 30_000,
        retries: 3,
        startPeriodMs: 0,
        onFailure: 'kill',
      },
      restartPolicy: { name: 'on-failure', maxRetries: 5 },
    });
    expect(runSupervision({ restart: 'no' }, undefined)).toEqual({});
    expect(runSupervision({}, undefined)).toEqual({});
  });

  it('--restart with --rm, or a bad policy, is USAGE', () => {
    const usage = expect.objectContaining({ code: 'USAGE' });
    expect(() => runSupervision({ restart: 'always', rm: true }, undefined)).toThrow(usage);
    expect(() => runSupervision({ restart: 'sometimes' }, undefined)).toThrow(usage);
    expect(runSupervision({ restart: 'no', rm: true }, undefined)).toEqual({});
  });

  it('a bad --restart is exit 125 with a hint, before anything is looked up', async () => {
    const r = await runCli(
      ['run', '--restart', 'sometimes', '--root', '/nonexistent', 'x:1'],
      testDeps(),
    );
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toContain('Error [USAGE]: invalid --restart "sometimes"');
    expect(r.stderr).toContain('on-failure[:N]');
  });
});
