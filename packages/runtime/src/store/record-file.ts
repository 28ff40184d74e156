// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { VcError } from '@verified-container/shared';

/**
 * The text of a store record file (`container.json`, `volume.json`, `networks/<name>.json`);
 * undefined when it does not exist, any other failure is READ_FAILED naming the path.
 */
export async function readRecordText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new VcError('READ_FAILED', `cannot read ${path}`, { cause });
  }
}
