// SPDX-License-Identifier: Apache-2.0
// The second half of `pnpm build`: vordr's program as one file, packages/runtime/dist/vordr.cjs,
// which dist/bin.js runs with V8's code cache (packages/runtime/src/cli/bundle-launch.ts).
//   Node spent most of a `vordr run` start resolving, reading, compiling and linking ~350 ES
//   modules one by one. Every file tsc emitted stays as it is (dist/bin.js, the package's
//   exports, the types; dist/bin.js falls back to them when the bundle is missing or older).
//   Inputs: the runtime from src/ (TypeScript, so a stale tsc output is never an input), the
//   workspace packages from their dist/ (built by the `tsc -b` before this; their source maps
//   are followed), third-party code from node_modules. pino stays outside: the lazy logger
//   requires it only when it logs. CommonJS, because node 20 has a code cache only for scripts
//   (vm.Script), not for ES modules. `import.meta.url` in a runtime module is the URL tsc's
//   output of that module has (dist/<path>.js, from the bundle's URL, which bin.js passes in),
//   so paths relative to a module work in both forms; elsewhere it is the bundle's own URL.
// Usage: node scripts/bundle-vordr.js [--meta]   (run by `pnpm build`, after `tsc -b`)
import { readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const runtime = fileURLToPath(new URL('../packages/runtime/', import.meta.url));
const src = join(runtime, 'src');
const dist = join(runtime, 'dist');
const { build, analyzeMetafile } = createRequire(import.meta.url)('esbuild');

/** `import.meta.url` of each runtime module: where tsc emits it, relative to the bundle's URL. */
const moduleUrls = {
  name: 'vordr-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (relative(src, args.path).startsWith('..')) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta')) return undefined;
      const other = /\bimport\.meta\.(?!url\b)\w+/.exec(text);
      if (other !== null) {
        return {
          errors: [{ text: `${other[0]} is not supported in the bundle (use import.meta.url)` }],
        };
      }
      const emitted = relative(src, args.path).split(sep).join('/').replace(/\.ts$/, '.js');
      const url = `new URL(${JSON.stringify(emitted)}, __vordrImportMetaUrl).href`;
      return { contents: text.replace(/\bimport\.meta\.url\b/g, url), loader: 'ts' };
    });
  },
};

const result = await build({
  absWorkingDir: runtime,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/vordr.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  // No comments or indentation: a third less to read at every start (the names stay, so stack
  // traces still say which function; `node --enable-source-maps` maps them to the TypeScript).
  minifyWhitespace: true,
  // The lazy logger loads pino through createRequire when a line is logged at an enabled level.
  external: ['pino'],
  // bundle-launch.ts passes the bundle's URL in; runtime modules get their own (moduleUrls).
  define: { 'import.meta.url': '__vordrImportMetaUrl' },
  plugins: [moduleUrls],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});

// A dynamic import() left in the bundle would need vm's importModuleDynamically: none may remain.
const dynamic = Object.values(result.metafile.outputs)
  .flatMap((output) => output.imports)
  .filter((i) => i.kind === 'dynamic-import' && i.external);
if (dynamic.length > 0) {
  console.error(`bundle-vordr: external dynamic imports: ${dynamic.map((i) => i.path).join(', ')}`);
  process.exit(1);
}

// Caches of an older bundle are never used (their names carry its size and mtime): drop them.
await rm(join(dist, 'compile-cache'), { recursive: true, force: true });

if (process.argv.includes('--meta')) {
  process.stdout.write(await analyzeMetafile(result.metafile));
}
