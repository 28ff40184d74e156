// SPDX-License-Identifier: Apache-2.0
import type { Command } from 'commander';
import { action, newCommand, type ResultBox } from '../cli/command-kit.js';
import type { CliDeps } from '../cli/deps.js';
import { jsonLine } from '../cli/output.js';

/** vordr's version (also `vordr --version`). */
export const VORDR_VERSION = '0.1.0';

export function makeVersionCommand(_deps: CliDeps, box: ResultBox): Command {
  return newCommand('version', 'print the version').action(
    action<[], object>(box, (_args, flags) =>
      Promise.resolve({
        exitCode: 0,
        stdout:
          flags.json === true
            ? jsonLine({ version: VORDR_VERSION, apiVersion: '1', node: process.versions.node })
            : `vordr ${VORDR_VERSION}\n`,
      }),
    ),
  );
}
