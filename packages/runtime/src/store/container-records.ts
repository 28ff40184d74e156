// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { VcError } from '@verified-container/shared';
import { readRecordText } from './record-file.js';
import { writeFileAtomic } from './atomic-file.js';
import { isContainerId } from './container-id.js';
import type { ContainerHandle } from './container-reference.js';
import { containerPaths, vordrPaths } from './vordr-paths.js';

/**
 * The `container.json` records under `vordr/containers/<id>/` (05 §13). The record's shape is the
 * caller's (`R`); this module only needs its `id` and `name`. Writes are atomic (00 §4.1), reads
 * take no lock.
 */
export class ContainerRecords<R extends ContainerHandle> {
  readonly dir: string;

  constructor(private readonly root: string) {
    this.dir = vordrPaths(root).containers;
  }

  /** Creates the container directory (0700, 00 §4) when missing and replaces its record. */
  async write(record: R): Promise<void> {
    if (!isContainerId(record.id)) {
      throw new VcError('INTERNAL', `not a container id: ${JSON.stringify(record.id)}`);
    }
    const paths = containerPaths(this.root, record.id);
    await fs.mkdir(this.dir, { recursive: true, mode: 0o755 });
    await fs.mkdir(paths.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(paths.record, `${JSON.stringify(record, null, 2)}\n`);
  }

  /** The record of `id`; undefined when the container does not exist. Unreadable → STATE_CORRUPT. */
  async read(id: string): Promise<R | undefined> {
    if (!isContainerId(id)) return undefined;
    const path = containerPaths(this.root, id).record;
    const text = await readRecordText(path);
    if (text === undefined) return undefined;
    try {
      const record = JSON.parse(text) as R;
      if (record.id !== id || typeof record.name !== 'string') throw new Error('id or name wrong');
      return record;
    } catch (cause) {
      throw new VcError('STATE_CORRUPT', `${path} is not a valid container record`, { cause });
    }
  }

  /**
   * Every record, sorted by id. Directories without a record (being created or removed) are
   * skipped; so are names that are not ids.
   */
  async list(): Promise<R[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new VcError('READ_FAILED', `cannot list ${this.dir}`, { cause });
    }
    const records: R[] = [];
    for (const id of names.filter(isContainerId).sort()) {
      const record = await this.read(id);
      if (record !== undefined) records.push(record);
    }
    return records;
  }

  /** Removes the container's directory (the caller has unmounted its rootfs). */
  async remove(id: string): Promise<void> {
    if (!isContainerId(id)) return;
    await fs.rm(containerPaths(this.root, id).dir, { recursive: true, force: true });
  }
}
