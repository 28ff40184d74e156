// SPDX-License-Identifier: Apache-2.0
// The control archive of a .deb, read through the host's `dpkg-deb --ctrl-tarfile`.
import { VcError } from '@verified-container/shared';
import { ControlSyntaxError, parseControl } from '../debian/deb822.js';
import type { ControlParagraph } from '../debian/deb822.js';
import { parseConffiles } from '../debian/deb-reader.js';
import { readDebTar } from '../debian/deb-tar.js';
import type { Exec } from '../debian/exec.js';

export const MAINTAINER_SCRIPT_NAMES = [
  'preinst',
  'postinst',
  'prerm',
  'postrm',
  'config',
] as const;

/** What installing needs to know about one .deb before unpacking it. */
export interface DebControl {
  /** Host path of the .deb. */
  readonly path: string;
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** `Multi-Arch` (`no` when absent). */
  readonly multiArch: string;
  readonly essential: boolean;
  /** `Depends`, `Pre-Depends`, `Provides`, folded to one line. */
  readonly depends: string;
  readonly preDepends: string;
  readonly provides: string;
  readonly control: ControlParagraph;
  /** Every control member but `control`, as dpkg copies them to `/var/lib/dpkg/info`. */
  readonly controlFiles: ReadonlyMap<string, { content: Uint8Array; mode: number }>;
  /** Maintainer scripts the package has. */
  readonly scripts: readonly string[];
  /** Conffiles dpkg installs (remove-on-upgrade ones left out). */
  readonly conffiles: readonly string[];
}

/** Control members are small; refuse absurd ones. */
const MAX_MEMBER_BYTES = 64 * 1024 * 1024;

/** Reads the control archive of `debPath` (dpkg-deb missing → BUILD_TOOL_MISSING). */
export async function readDebControl(exec: Exec, debPath: string): Promise<DebControl> {
  const members = new Map<string, { content: Uint8Array; mode: number }>();
  await readDebTar(exec, debPath, '--ctrl-tarfile', {}, async (header, body) => {
    const name = header.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      if (size > MAX_MEMBER_BYTES) {
        throw new VcError(
          'BUILD_ARCHIVE_LIMIT',
          `control member ${name} of ${debPath} is too large`,
        );
      }
      chunks.push(chunk);
    }
    if (header.type === 'file' && name !== '' && !name.includes('/')) {
      members.set(name, { content: Buffer.concat(chunks), mode: (header.mode ?? 0o644) & 0o7777 });
    }
  });
  const text = Buffer.from(members.get('control')?.content ?? new Uint8Array()).toString('utf8');
  let control: ControlParagraph | undefined;
  try {
    control = parseControl(text)[0];
  } catch (cause) {
    if (!(cause instanceof ControlSyntaxError)) throw cause;
  }
  if (control === undefined || control.first('Package') === '') {
    throw new VcError('BUILD_ARCHIVE_UNSAFE', `${debPath} has no valid control file`);
  }
  members.delete('control');
  const conffilesText = Buffer.from(members.get('conffiles')?.content ?? new Uint8Array()).toString(
    'utf8',
  );
  return {
    path: debPath,
    name: control.first('Package'),
    version: control.first('Version'),
    architecture: control.first('Architecture'),
    multiArch: control.first('Multi-Arch') || 'no',
    essential: control.first('Essential') === 'yes',
    depends: control.folded('Depends'),
    preDepends: control.folded('Pre-Depends'),
    provides: control.folded('Provides'),
    control,
    controlFiles: members,
    scripts: MAINTAINER_SCRIPT_NAMES.filter((s) => members.has(s)),
    conffiles: parseConffiles(conffilesText),
  };
}
