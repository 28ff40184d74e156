// SPDX-License-Identifier: Apache-2.0
import { constants, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { VcError } from '@verified-container/shared';
import { auditLine, type AuditRecord } from '@verified-container/shared/verify/cache';

/**
 * Appends one audit record (04 §10) to `path` with a single O_APPEND write and an fsync, creating
 * the file (0600) and its directory (0700). Any failure is `AUDIT_WRITE_FAILED`: the caller then
 * returns no decision (fail closed).
 */
export async function appendAuditRecord(path: string, record: AuditRecord): Promise<void> {
  try {
    await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await fs.open(
      path,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
      0o600,
    );
    try {
      await handle.write(auditLine(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw new VcError(
      'AUDIT_WRITE_FAILED',
      `cannot append to the audit log ${path}: ${(cause as Error).message}`,
      { cause, hint: 'make the directory writable, or pass --audit-log FILE' },
    );
  }
}
