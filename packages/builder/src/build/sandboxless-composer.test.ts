// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { ComposerRequest } from '../steps/step-context.js';
import { SandboxlessComposerRunner } from './sandboxless-composer.js';

describe('SandboxlessComposerRunner', () => {
  it('refuses every request with BUILD_STEP_FAILED', async () => {
    const request = { package: 'vendor/name', step: 0 } as unknown as ComposerRequest;
    await expect(new SandboxlessComposerRunner().require(request)).rejects.toMatchObject({
      code: 'BUILD_STEP_FAILED',
      message: 'composer-require vendor/name needs the build sandbox (not available yet)',
    });
  });
});
