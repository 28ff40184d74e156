#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// vordr's entry point: the single-file build with its code cache when `pnpm build` made one
// (cli/bundle-launch.ts), else the program's modules as tsc emitted them (main.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBundle } from './cli/bundle-launch.js';

const dist = dirname(fileURLToPath(import.meta.url));
if (!launchBundle(dist, process.argv.slice(2), process.env).started) {
  await import('./main.js');
}
