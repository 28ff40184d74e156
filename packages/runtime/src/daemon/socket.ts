// SPDX-License-Identifier: Apache-2.0
import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, mkdir, readlink, symlink, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { VcError } from '@verified-container/shared';

/** The daemon's socket when neither `--socket` nor `VORDR_SOCKET` names one (05 §12). */
export const DEFAULT_SOCKET = '/run/vordr/vordr.sock';
/** The docker-style path the guide uses, a symlink to the default socket. */
export const DEFAULT_SOCKET_LINK = '/run/vordr.sock';

/** `--socket`, else `VORDR_SOCKET`, else the default. */
export function socketPathOf(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env['VORDR_SOCKET'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_SOCKET;
}

/** `--socket-mode`: octal permission bits such as 0660. */
export function parseSocketMode(text: string | undefined): number {
  if (text === undefined) return 0o660;
  if (!/^0?[0-7]{3}$/.test(text)) {
    throw new VcError(
      'USAGE',
      `invalid --socket-mode ${JSON.stringify(text)}: expected octal like 0660`,
    );
  }
  return parseInt(text, 8);
}

/** The gid of a group name or number from /etc/group; undefined when there is no such group. */
export function groupId(name: string, groupFile = '/etc/group'): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  let text: string;
  try {
    text = readFileSync(groupFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [group, , gid] = line.split(':');
    if (group === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** Whether something accepts connections on a unix socket (within `timeoutMs`). */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (answer: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Makes the socket's directory (0755) and clears a stale socket; a socket that answers belongs to
 * a running daemon (`IN_USE`).
 */
export async function prepareSocketPath(path: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  if (dir !== '/' && dir !== '/run' && dir !== '/tmp')
    await chmod(dir, 0o755).catch(() => undefined);
  const existing = await lstat(path).catch(() => undefined);
  if (existing === undefined) return;
  if (!existing.isSocket()) {
    throw new VcError('USAGE', `${path} exists and is not a socket`, {
      hint: 'choose another --socket',
    });
  }
  if (await socketAnswers(path)) {
    throw new VcError('IN_USE', `a daemon already listens on ${path}`, {
      hint: 'stop it first, or choose another --socket',
    });
  }
  await unlink(path);
}

/** Socket permissions (mode, group) once it listens. */
export async function secureSocket(
  path: string,
  mode: number,
  gid: number | undefined,
): Promise<void> {
  if (gid !== undefined) await chown(path, process.getuid?.() ?? 0, gid);
  await chmod(path, mode);
}

/** `/run/vordr.sock` → the default socket (replacing a stale link, never a file). */
export async function linkDefaultSocket(
  target: string,
  link = DEFAULT_SOCKET_LINK,
): Promise<boolean> {
  const existing = await lstat(link).catch(() => undefined);
  if (existing !== undefined) {
    if (!existing.isSymbolicLink()) return false;
    await unlink(link);
  }
  await symlink(target, link);
  return true;
}

/** Removes the link on exit if it still points at `target`. */
export async function unlinkDefaultSocket(
  target: string,
  link = DEFAULT_SOCKET_LINK,
): Promise<void> {
  const points = await readlink(link).catch(() => undefined);
  if (points === target) await unlink(link).catch(() => undefined);
}
