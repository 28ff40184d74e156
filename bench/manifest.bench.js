// SPDX-License-Identifier: Apache-2.0
// Manifest load time: our full load (encoding, TOML, positions, templates, every rule) side by side with a bare
// smol-toml parse of the same bytes, on the reference manifest and on a manifest at the size limits; plus the
// cold start of `cerro-torre validate`. Run after `pnpm build`: node bench/manifest.bench.js [--json]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseManifest } = await import(`${root}packages/shared/dist/manifest/index.js`);
const require = createRequire(`${root}packages/shared/package.json`);
const { parse: parseToml } = require('smol-toml');

function time(fn, iterations) {
  for (let i = 0; i < Math.min(200, iterations); i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return ((performance.now() - start) * 1000) / iterations; // µs per call
}

function largeManifest() {
  const packages = Array.from({ length: 5000 }, (_, i) => `"pkg-${i}"`).join(', ');
  const steps = Array.from(
    { length: 1000 },
    (_, i) => `  { action = "mkdir", path = "/opt/dir-${i}", mode = "0755" },`,
  ).join('\n');
  return `[package]\nname = "large"\nversion = "1.0.0"\n\n[dependencies]\npackages = [${packages}]\n\n[build]\nsteps = [\n${steps}\n]\n`;
}

const reference = readFileSync(
  `${root}packages/shared/test/fixtures/manifests/php-aegis-wordpress.ctp`,
);
const large = new TextEncoder().encode(largeManifest());
const text = (b) => new TextDecoder().decode(b);

const rows = [];
for (const [name, bytes, n] of [
  ['reference (php-aegis-wordpress.ctp, 7.7 KB)', reference, 2000],
  [`limits (5,000 packages, 1,000 steps, ${(large.length / 1024).toFixed(0)} KB)`, large, 20],
]) {
  const ours = time(() => parseManifest(bytes, { source: 'bench.ctp' }), n);
  const bare = time(() => parseToml(text(bytes)), n);
  rows.push({ manifest: name, loadUs: ours, smolTomlUs: bare, ratio: ours / bare });
}

const runs = 10;
const bin = `${root}packages/builder/dist/bin.js`;
const fixture = `${root}packages/shared/test/fixtures/manifests/php-aegis-wordpress.ctp`;
const cli = (args) => {
  const start = performance.now();
  try {
    execFileSync(process.execPath, args, { stdio: 'ignore' });
  } catch {
    /* validate exits 1 on the reference manifest */
  }
  return performance.now() - start;
};
cli([bin, 'validate', fixture]);
let cliMs = 0;
let nodeMs = 0;
for (let i = 0; i < runs; i++) {
  cliMs += cli([bin, 'validate', fixture]) / runs;
  nodeMs += cli(['-e', '0']) / runs;
}

const result = { rows, cli: { validateMs: cliMs, nodeStartMs: nodeMs } };
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(
    'manifest load                                     ours (µs)  smol-toml only (µs)  ratio',
  );
  for (const r of rows) {
    console.log(
      `${r.manifest.padEnd(50)}${r.loadUs.toFixed(1).padStart(9)}  ${r.smolTomlUs.toFixed(1).padStart(19)}  ${r.ratio.toFixed(2).padStart(5)}x`,
    );
  }
  console.log(
    `cerro-torre validate (process, mean of ${runs}): ${cliMs.toFixed(0)} ms; bare node start: ${nodeMs.toFixed(0)} ms`,
  );
}
