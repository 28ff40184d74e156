// SPDX-License-Identifier: Apache-2.0
// Reading the tar archives inside a .deb through `dpkg-deb`: shared by the .deb reader (file table)
// and the installer (unpacking into a directory).
import { VcError } from '@verified-container/shared';
import { extract as tarExtract, type Header } from 'tar-stream';
import type { Exec } from './exec.js';

export { memberPath as normalizeMember } from '../oci/tar-member.js';

/** PATH for the host tools we run (dpkg-deb, mknod). */
export const HOST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Streams one archive of a .deb (`dpkg-deb --ctrl-tarfile` or `--fsys-tarfile`) entry by entry;
 * `onEntry` must consume or drain each body. Failures are BUILD_ARCHIVE_UNSAFE (or dpkg-deb's own
 * start-up error, e.g. BUILD_TOOL_MISSING).
 */
export async function readDebTar(
  exec: Exec,
  debPath: string,
  mode: '--ctrl-tarfile' | '--fsys-tarfile',
  opts: { env?: Readonly<Record<string, string | undefined>> },
  onEntry: (header: Header, body: AsyncIterable<Uint8Array>) => Promise<void>,
): Promise<void> {
  const child = exec.stream('dpkg-deb', [mode, debPath], {
    env: opts.env ?? { PATH: HOST_PATH },
  });
  const extract = tarExtract();
  child.stdout.on('error', (err) => extract.destroy(err));
  child.stdout.pipe(extract);
  try {
    for await (const entry of extract) {
      // tar-stream yields Buffers; its types say `unknown`.
      await onEntry(entry.header, entry as AsyncIterable<Uint8Array>);
      entry.resume();
    }
  } catch (err) {
    child.kill();
    extract.destroy();
    // A dpkg-deb that failed to start explains more than the broken stream it left.
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
      `dpkg-deb ${mode} ${debPath} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

/** Reads a body to its end, discarding it (tar-stream needs every body consumed). */
export async function drain(body: AsyncIterable<Uint8Array>): Promise<void> {
  const it = body[Symbol.asyncIterator]();
  let next = await it.next();
  while (next.done !== true) next = await it.next();
}
