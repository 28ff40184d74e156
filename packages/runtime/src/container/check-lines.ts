// SPDX-License-Identifier: Apache-2.0
import type { StoredCheck } from './record.js';

const MARK: Readonly<Record<StoredCheck['status'], string>> = {
  pass: '✓',
  fail: '✗',
  warn: '!',
  skip: '–',
};

/** One 05 §4.8 line: `✓ name (detail)`, or `– name: detail` for a skipped check. */
export function renderCheck(check: StoredCheck): string {
  if (check.status === 'skip') {
    return `${MARK.skip} ${check.name}${check.detail === '' ? '' : `: ${check.detail}`}\n`;
  }
  return `${MARK[check.status]} ${check.name}${check.detail === '' ? '' : ` (${check.detail})`}\n`;
}
