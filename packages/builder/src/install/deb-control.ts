// SPDX-License-Identifier: Apache-2.0
// The control archive of a .deb, read through the host's `dpkg-deb --ctrl-tarfile`.
import { VcError } from '@verified-container/shared';
import { extract as tarExtract } from 'tar-stream';
import { ControlSyntaxError, parseControl } from '../debian/deb822.js';
import type { ControlParagraph } from '../debian/deb822.js';
import { parseConffiles } from '../debian/deb-reader.js';
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

export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Reads the control archive of `debPath` (dpkg-deb missing → BUILD_TOOL_MISSING). */
export async function readDebControl(exec: Exec, debPath: string): Promise<DebControl> {
  const members = new Map<string, { content: Uint8Array; mode: number }>();
  const child = exec.stream('dpkg-deb', ['--ctrl-tarfile', debPath], { env: { PATH: HOST_PATH } });
  const extract = tarExtract();
  child.stdout.on('error', (err) => extract.destroy(err));
  child.stdout.pipe(extract);
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const name = header.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Buffer>) {
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
        members.set(name, {
          content: Buffer.concat(chunks),
          mode: (header.mode ?? 0o644) & 0o7777,
        });
      }
    }
  } catch (err) {
    child.kill();
    const exit = await child.done.catch((e: unknown) => e);
    if (exit instanceof VcError) throw exit;
    if (err instanceof VcError) throw err;
    throw new VcError('BUILD_ARCHIVE_UNSAFE', `cannot read ${debPath}: ${String(err)}`, {
      cause: err,
    });
  }
  const { code, stderr } = await child.done;
  if (code !== 0) {
    throw new VcError(
      'BUILD_ARCHIVE_UNSAFE',
      `dpkg-deb --ctrl-tarfile ${debPath} failed (exit ${code}): ${stderr.trim()}`,
    );
  }
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
