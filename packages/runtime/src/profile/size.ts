// SPDX-License-Identifier: Apache-2.0
// Sizes as 00 §6 writes them: a number with an optional binary suffix b, k, m, g.
import { VcError } from '@verified-container/shared';

const SIZE = /^([0-9]+(?:\.[0-9]+)?)([bkmg]?)$/i;
const FACTOR: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** Bytes of `512m`, `1g`, `4096`; anything else is `USAGE` naming `what`. */
export function parseSize(text: string, what: string): number {
  const match = SIZE.exec(text.trim());
  const factor = FACTOR[(match?.[2] ?? '').toLowerCase()];
  if (match === null || factor === undefined) {
    throw new VcError('USAGE', `${what}: invalid size ${JSON.stringify(text)}`, {
      hint: 'a size is a number with an optional suffix b, k, m or g (e.g. 512m)',
    });
  }
  const bytes = Math.floor(Number(match[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    throw new VcError('USAGE', `${what}: size ${JSON.stringify(text)} is too large`);
  }
  return bytes;
}
