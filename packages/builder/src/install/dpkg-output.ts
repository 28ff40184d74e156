// SPDX-License-Identifier: Apache-2.0
// What went wrong in a dpkg run, read from its output (dpkg 1.21 messages, LC_ALL=C). Pure.

export type DpkgFailure =
  | {
      readonly kind: 'script';
      readonly package: string;
      /** `preinst`, `postinst`, `prerm` or `postrm`. */
      readonly script: string;
      /** Exit status, or the signal description when it was killed. */
      readonly status: string;
    }
  | { readonly kind: 'conflict'; readonly package: string; readonly message: string }
  | { readonly kind: 'other'; readonly package?: string; readonly message: string };

const SCRIPTS: Readonly<Record<string, string>> = {
  'pre-installation': 'preinst',
  'post-installation': 'postinst',
  'pre-removal': 'prerm',
  'post-removal': 'postrm',
};

const SCRIPT_FAILED =
  /(?:new|installed|old|conflicting|removed) (\S+) package (pre-installation|post-installation|pre-removal|post-removal) script subprocess (?:returned error exit status (\d+)|was killed by signal \(([^)]*)\)|failed with exit status (\d+))/;
const PROCESSING = /^dpkg: error processing (?:package (\S+)|archive (\S+)) \(--([a-z-]+)\):$/;

/**
 * The first failure dpkg reports: a maintainer script that failed (package and script), a file
 * or dependency conflict, or anything else dpkg printed as an error. Undefined when the output
 * names none.
 */
export function parseDpkgFailure(output: string): DpkgFailure | undefined {
  const lines = output.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const script = SCRIPT_FAILED.exec(line);
    if (script !== null) {
      return {
        kind: 'script',
        package: script[1] ?? '',
        script: SCRIPTS[script[2] ?? ''] ?? script[2] ?? '',
        status: script[3] ?? script[5] ?? script[4] ?? '',
      };
    }
    const processing = PROCESSING.exec(line);
    if (processing !== null) {
      const next = (lines[i + 1] ?? '').trim();
      const nextScript = SCRIPT_FAILED.exec(next);
      if (nextScript !== null) continue;
      const pkg = processing[1] ?? packageOfArchive(processing[2] ?? '');
      if (
        /dependency problems|trying to overwrite|conflicting packages|pre-dependency problem/.test(
          next,
        )
      ) {
        return { kind: 'conflict', package: pkg, message: next };
      }
      return { kind: 'other', package: pkg, message: next };
    }
  }
  const fatal = lines.find((l) => /^dpkg(?:-deb)?: error/.test(l));
  return fatal === undefined ? undefined : { kind: 'other', message: fatal };
}

/** `/debs/0001-foo_1.0_amd64.deb` → `foo`. */
function packageOfArchive(path: string): string {
  const base = path.split('/').pop() ?? path;
  return /^(?:\d+-)?([^_]+)_/.exec(base)?.[1] ?? base;
}

/**
 * The last `count` lines of output up to and including the line that reports `failure`, so a
 * script's own output is what an error shows.
 */
export function outputBefore(output: string, needle: string | undefined, count: number): string {
  const lines = output.replace(/\n$/, '').split('\n');
  const at = needle === undefined ? -1 : lines.findIndex((l) => l.includes(needle));
  const end = at === -1 ? lines.length : at + 1;
  return lines.slice(Math.max(0, end - count), end).join('\n');
}
