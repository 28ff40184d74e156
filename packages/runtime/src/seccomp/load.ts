// SPDX-License-Identifier: Apache-2.0
// Reading the seccomp profile: `--security-opt seccomp=PATH`, else `VORDR_SECCOMP_PROFILE`, else
// Debian containers-common's default.
import { readFile } from 'node:fs/promises';
import { VcError } from '@verified-container/shared';
import type { SeccompSetting } from '../profile/effective-profile.js';
import type { OciSeccomp } from '../oci-spec/types.js';
import { convertSeccompProfile, type SeccompContext } from './convert.js';

/** The profile of Debian's `golang-github-containers-common`. */
export const DEFAULT_SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

/** `VORDR_SECCOMP_PROFILE` (non-empty) else {@link DEFAULT_SECCOMP_PROFILE}. */
export function defaultSeccompProfilePath(
  env: Readonly<Record<string, string | undefined>>,
): string {
  const fromEnv = env['VORDR_SECCOMP_PROFILE'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_SECCOMP_PROFILE;
}

/**
 * The container's `linux.seccomp`, or undefined for `seccomp=unconfined`. A missing default
 * profile is `RUNTIME_UNAVAILABLE` (install hint); a missing or invalid `seccomp=PATH` is `USAGE`.
 */
export async function loadSeccomp(
  setting: SeccompSetting,
  ctx: SeccompContext,
  defaultPath: string,
): Promise<OciSeccomp | undefined> {
  if (setting.kind === 'unconfined') return undefined;
  const custom = setting.kind === 'custom';
  const path = custom ? setting.path : defaultPath;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (custom) {
      throw new VcError('USAGE', `cannot read seccomp profile ${path}`, { cause: err });
    }
    throw new VcError('RUNTIME_UNAVAILABLE', `seccomp profile ${path} is missing or unreadable`, {
      cause: err,
      hint: 'install it with apt-get install golang-github-containers-common, or set VORDR_SECCOMP_PROFILE',
      details: { path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new VcError(
      custom ? 'USAGE' : 'RUNTIME_UNAVAILABLE',
      `seccomp profile ${path} is not JSON`,
      {
        cause: err,
      },
    );
  }
  try {
    return convertSeccompProfile(parsed, ctx, path);
  } catch (err) {
    if (!custom && err instanceof VcError) {
      throw new VcError('RUNTIME_UNAVAILABLE', err.message, { cause: err, details: { path } });
    }
    throw err;
  }
}
