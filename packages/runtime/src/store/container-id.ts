// SPDX-License-Identifier: Apache-2.0
import { randomBytes } from 'node:crypto';

/** Length of the id shown by `ps` and used in derived names (05 §2). */
export const SHORT_ID_LENGTH = 12;

const ID = /^[0-9a-f]{64}$/;

/** A new container id: 64 lowercase hex from 32 random bytes (05 §2). */
export function newContainerId(random: (size: number) => Uint8Array = randomBytes): string {
  return Buffer.from(random(32)).toString('hex');
}

export function isContainerId(text: string): boolean {
  return ID.test(text);
}

/** The first 12 hex of an id, as people see it. */
export function shortId(id: string): string {
  return id.slice(0, SHORT_ID_LENGTH);
}
