// SPDX-License-Identifier: Apache-2.0
import { posix } from 'node:path';
import { VcError } from '@verified-container/shared';
import { normalizeContainerPath } from '../profile/index.js';

/** A `-v SRC:DST[:OPTS]` flag, parsed (05 §3). */
export interface VolumeFlag {
  /** Absolute host path → bind; anything else names a volume. */
  readonly kind: 'bind' | 'volume';
  readonly source: string;
  readonly destination: string;
  readonly readonly: boolean;
  /** `U`: chown a new volume to the container user. */
  readonly chown: boolean;
  readonly nocopy: boolean;
}

const OPTIONS = new Set(['ro', 'rw', 'nocopy', 'U', 'z', 'Z']);

/** Parses `-v SRC:DST[:OPTS]`; OPTS is a comma list of `ro`, `rw`, `nocopy`, `U`. */
export function parseVolumeFlag(text: string): VolumeFlag {
  const parts = text.split(':');
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '') {
    throw new VcError('USAGE', `invalid -v ${JSON.stringify(text)}: expected SRC:DST[:OPTS]`);
  }
  const [source, dest, opts = ''] = parts as [string, string, string?];
  const options = opts === '' ? [] : opts.split(',');
  const unknown = options.filter((o) => !OPTIONS.has(o));
  if (unknown.length > 0) {
    throw new VcError(
      'USAGE',
      `invalid -v option ${unknown.join(',')} in ${JSON.stringify(text)}`,
      {
        hint: 'options are ro, rw, nocopy and U',
      },
    );
  }
  const destination = normalizeContainerPath(dest, '-v');
  const kind = posix.isAbsolute(source) ? 'bind' : 'volume';
  return {
    kind,
    source: kind === 'bind' ? posix.normalize(source) : source,
    destination,
    readonly: options.includes('ro') && !options.includes('rw'),
    chown: options.includes('U'),
    nocopy: options.includes('nocopy'),
  };
}
