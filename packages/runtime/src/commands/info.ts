// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { action, newCommand, storeRoot, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';
import { formatHostInfo, gatherHostInfo } from '../host-info/index.js';
import { VORDR_VERSION } from './version.js';

/** `vordr info` (05 §11): host and store facts; a missing part is reported, never fatal. */
export function makeInfoCommand(deps: CliDeps, box: ResultBox): Command {
  return newCommand('info', 'show the host, backend and store').action(
    action<[], object>(box, async (_args, flags) => {
      const info = await gatherHostInfo({
        root: storeRoot(deps, flags),
        version: VORDR_VERSION,
        env: deps.env,
        uid: deps.uid,
        ...(flags.runtime !== undefined ? { runtime: flags.runtime } : {}),
        probeRootfs: deps.uid === 0,
      });
      return { exitCode: 0, stdout: flags.json === true ? jsonLine(info) : formatHostInfo(info) };
    }),
  );
}
