#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
import { CommanderError } from 'commander';
import { createProgram } from './cli.js';

const program = createProgram().exitOverride();
try {
  program.parse(process.argv);
  if (process.argv.length <= 2) program.outputHelp();
} catch (err) {
  // vordr uses 125 for its own errors (00 §8); help and --version exit 0.
  process.exit(err instanceof CommanderError && err.exitCode === 0 ? 0 : 125);
}
