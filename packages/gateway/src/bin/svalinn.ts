#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
import { Command, CommanderError } from 'commander';
import { GATEWAY_VERSION } from '../version.js';

const program = new Command('svalinn')
  .description('REST gateway with authentication, policy and audit in front of the vordr daemon.')
  .version(`svalinn ${GATEWAY_VERSION}`, '--version', 'print the version')
  .exitOverride();
try {
  program.parse(process.argv);
  if (process.argv.length <= 2) program.outputHelp();
} catch (err) {
  process.exit(err instanceof CommanderError && err.exitCode === 0 ? 0 : 2);
}
