// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { describe, expect, it } from 'vitest';

import { isNoSuchContainer, isNotRunning, runcMessage } from './runc-cli.js';

describe('runcMessage', () => {
  it('takes the msg of logrus lines and plain text as it is', () => {
    expect(
      runcMessage('time="2026-12-07T17:22:21Z" level=error msg="container does not exist"\n'),
    ).toBe('container does not exist');
    expect(
      runcMessage('time="x" level=error msg="exec: \\"nope\\": not found"\nplain line\n'),
    ).toBe('exec: "nope": not found; plain line');
  });
});

describe('runc error classification', () => {
  it('recognises missing and stopped containers', () => {
    expect(
      isNoSuchContainer(
        new VcError('RUNTIME_ERROR', 'runc state failed: container does not exist'),
      ),
    ).toBe(true);
    expect(
      isNotRunning(new VcError('RUNTIME_ERROR', 'runc kill failed: container not running')),
    ).toBe(true);
    expect(isNoSuchContainer(new Error('container does not exist'))).toBe(false);
  });
});
