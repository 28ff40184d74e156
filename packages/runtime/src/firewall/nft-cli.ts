// SPDX-License-Identifier: Apache-2.0
// nft on the host or inside a named netns (`ip netns exec <ns> nft …`).
import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';
import { findExecutable } from '../engine/host-process.js';

const run = promisify(execFile);

/** Where nft runs: the host (undefined) or a netns under /run/netns. */
export interface NftTarget {
  readonly netns?: string;
}

let nftPath: Promise<string> | undefined;

/** The nft binary; missing: `RUNTIME_UNAVAILABLE` naming it (05 §15). */
export function findNft(): Promise<string> {
  nftPath ??= findExecutable('nft', 'install nftables (apt-get install nftables)');
  nftPath.catch(() => {
    nftPath = undefined;
  });
  return nftPath;
}

/** Runs nft with `args`; a failure is `NETWORK_SETUP_FAILED` with nft's message. */
export async function runNft(args: readonly string[], target: NftTarget = {}): Promise<string> {
  const nft = await findNft();
  const [file, argv] =
    target.netns === undefined
      ? [nft, [...args]]
      : ['ip', ['netns', 'exec', target.netns, nft, ...args]];
  try {
    const { stdout } = await run(file, argv, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr?.trim() ?? '';
    const where = target.netns === undefined ? 'on the host' : `in netns ${target.netns}`;
    throw new VcError('NETWORK_SETUP_FAILED', `nft ${args.join(' ')} failed ${where}: ${stderr}`, {
      cause,
    });
  }
}

/** Writes `text` to `path` (kept for inspection) and loads it with `nft -f`, atomically. */
export async function loadNftFile(
  path: string,
  text: string,
  target: NftTarget = {},
): Promise<void> {
  await writeFile(path, text);
  await runNft(['-f', path], target);
}

/** `nft -j -a list <what…>`, or undefined when the object does not exist. */
export async function listNftJson(
  what: readonly string[],
  target: NftTarget = {},
): Promise<string | undefined> {
  try {
    return await runNft(['-j', '-a', 'list', ...what], target);
  } catch (err) {
    if (err instanceof VcError && /No such file or directory|does not exist/.test(err.message)) {
      return undefined;
    }
    throw err;
  }
}

/** Loads `commands` as one atomic batch through a temporary file (removed afterwards). */
export async function runNftBatch(
  name: string,
  commands: readonly string[],
  target: NftTarget = {},
): Promise<void> {
  if (commands.length === 0) return;
  const path = join(tmpdir(), `vordr-${name}-${process.pid}-${Date.now()}.nft`);
  try {
    await loadNftFile(path, `${commands.join('\n')}\n`, target);
  } finally {
    await rm(path, { force: true });
  }
}
