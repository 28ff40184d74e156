// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import type { ComposerRequest, ComposerResult, ComposerRunner } from '../steps/step-context.js';

/**
 * The composer port until composer runs in the build sandbox: every `composer-require` step
 * fails with BUILD_STEP_FAILED instead of running anything on the host.
 */
export class SandboxlessComposerRunner implements ComposerRunner {
  require(request: ComposerRequest): Promise<ComposerResult> {
    return Promise.reject(
      new VcError(
        'BUILD_STEP_FAILED',
        `composer-require ${request.package} needs the build sandbox (not available yet)`,
        { hint: 'vendor the dependency with a fetch + extract step meanwhile' },
      ),
    );
  }
}
