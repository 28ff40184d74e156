// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { shortId } from './container-id.js';

/** What reference resolution needs of a container. */
export interface ContainerHandle {
  readonly id: string;
  readonly name: string;
}

/**
 * Resolves a container reference (05 §2), in order: full id → exact name → unique id prefix.
 * Several prefix matches: AMBIGUOUS_REFERENCE listing them; none: CONTAINER_NOT_FOUND.
 */
export function resolveContainerReference<C extends ContainerHandle>(
  ref: string,
  containers: readonly C[],
): C {
  const byId = containers.find((c) => c.id === ref);
  if (byId !== undefined) return byId;
  const byName = containers.find((c) => c.name === ref);
  if (byName !== undefined) return byName;
  const matches = /^[0-9a-f]+$/.test(ref) ? containers.filter((c) => c.id.startsWith(ref)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const listed = matches.map((c) => `${shortId(c.id)} (${c.name})`).join(', ');
    throw new VcError(
      'AMBIGUOUS_REFERENCE',
      `container reference ${JSON.stringify(ref)} matches ${matches.length} containers: ${listed}`,
      {
        hint: 'use more characters of the id, or the name',
        details: { matches: matches.map((c) => ({ id: c.id, name: c.name })) },
      },
    );
  }
  throw new VcError('CONTAINER_NOT_FOUND', `no such container: ${ref}`, {
    hint: 'vordr ps -a lists the containers',
  });
}
