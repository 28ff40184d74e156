#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
import { Command, CommanderError } from 'commander';
import { GATEWAY_VERSION } from '../version.js';

// `svalinn-compose version X`, as docker compose prints it (00 §6).
const program = new Command('svalinn-compose')
  .description('Run compose files through svalinn, verifying every service image first.')
  .version(`svalinn-compose version ${GATEWAY_VERSION}`, '--version', 'print the version')
  .exitOverride();
try {
  program.parse(process.argv);
  if (process.argv.length <= 2) program.outputHelp();
} catch (err) {
  process.exit(err instanceof CommanderError && err.exitCode === 0 ? 0 : 2);
}
