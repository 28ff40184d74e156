// SPDX-License-Identifier: Apache-2.0
import { Command } from 'commander';

export const VORDR_VERSION = '0.1.0';

/** The `vordr` program; commands arrive with the runtime issues. */
export function createProgram(): Command {
  return new Command('vordr')
    .description('Run OCI images only after verifying them, confined on runc or podman.')
    .helpOption('-h, --help', 'show this help')
    .version(`vordr ${VORDR_VERSION}`, '--version', 'print the version')
    .addHelpText(
      'after',
      `
Exit status: 0 ok; 1 REJECT; 2 malformed bundle; 3 log unavailable; 125 any other vordr error;
otherwise the container's own status.`,
    );
}
