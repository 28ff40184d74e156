// SPDX-License-Identifier: Apache-2.0

/**
 * A log id (03 §1): also the checkpoint origin and the signed-note key name, so it has no spaces
 * and no `+`.
 */
export const LOG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

export function isLogId(value: unknown): value is string {
  return typeof value === 'string' && LOG_ID_PATTERN.test(value);
}
