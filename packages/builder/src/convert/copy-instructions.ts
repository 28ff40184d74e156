// SPDX-License-Identifier: Apache-2.0
// COPY and ADD (01 §7): context files → copy steps; a local tar archive under ADD → copy + extract;
// a URL under ADD → fetch with a placeholder hash (listed); `COPY --from=composer` → a package.
import { posix } from 'node:path';
import { isUserOrGroupId } from './account-commands.js';
import { packageForCopyFrom } from './base-images.js';
import type { ManifestDraft } from './manifest-draft.js';
import type { DockerfileInstruction, InstructionFlag } from './parse-dockerfile.js';
import { asDirectory, childPath, resolveContextPath, resolveImagePath } from './paths.js';
import { isWord, lexWords, wordProblem } from './shell-lexer.js';
import { PLACEHOLDER_HASH, type ConvertedStep } from './steps.js';

/** Archives Docker's ADD unpacks that an extract step can read. */
const TAR_ARCHIVE = /\.(?:tar|tar\.gz|tgz|tar\.xz|txz)$/;
const OTHER_ARCHIVE = /\.(?:tar\.bz2|tbz2?|tar\.zst|tar\.lz|tar\.lzma)$/;
const SHA256 = /^sha256:[0-9a-fA-F]{64}$/;

export interface CopyContext {
  /** Names and indexes of the build stages before the final one (lower-case names). */
  readonly stages: ReadonlySet<string>;
}

interface Word {
  readonly value: string;
  /** Why the value is not known (unknown variable, …). */
  readonly problem: string | undefined;
  readonly glob: boolean;
}

export function convertCopy(ins: DockerfileInstruction, d: ManifestDraft, ctx: CopyContext): void {
  const isAdd = ins.keyword === 'ADD';
  const list = (reason: string, text = ins.text): void => d.list(ins.line, text, reason);
  if (ins.heredocs.length > 0) return list('heredocs are not converted');
  const flags = readFlags(ins.flags, isAdd);
  if (typeof flags === 'string') return list(flags);

  const words: Word[] =
    ins.exec?.map((value) => ({ value, problem: undefined, glob: false })) ??
    lexWords(ins.args, { escape: ins.escape, lookup: d.lookup })
      .filter(isWord)
      .map((w) => ({ value: w.value, problem: wordProblem(w), glob: w.glob }));
  const destWord = words[words.length - 1];
  const sources = words.slice(0, -1);
  if (destWord === undefined || sources.length === 0) {
    return list('expected sources and a destination');
  }

  if (flags.from !== undefined) {
    if (ctx.stages.has(flags.from.toLowerCase())) {
      return list(
        `copies from the build stage ${JSON.stringify(flags.from)}, which is not converted`,
      );
    }
    const pkg = packageForCopyFrom(flags.from);
    if (pkg === undefined) return list(`copies from the image ${JSON.stringify(flags.from)}`);
    d.addPackage(pkg.package);
    for (const note of pkg.notes) list(note);
    return;
  }
  if (destWord.problem !== undefined) return list(destWord.problem);
  if (destWord.value === '' || destWord.value.includes('\u0000')) {
    return list('not a valid destination');
  }
  const dest = resolveImagePath(destWord.value, d.workdir);
  if (dest === undefined) return list('the destination is relative to a WORKDIR that is not known');
  // Docker treats the destination as a directory when there are several sources.
  const destIsDir = dest.dir || sources.length > 1;

  for (const src of sources) {
    const text = `${ins.keyword} ${src.value} ${destWord.value}`;
    const problem =
      src.problem ?? (src.glob ? 'wildcards are not converted; name the files' : undefined);
    if (problem !== undefined) {
      list(problem, text);
      continue;
    }
    const steps =
      isAdd && /^[a-z][a-z0-9+.-]*:\/\//i.test(src.value)
        ? fetchSteps(src.value, dest.path, destIsDir, flags, (r) => list(r, text))
        : contextSteps(src.value, dest.path, destIsDir, isAdd, flags, (r) => list(r, text));
    d.steps.push(...steps);
  }
}

interface CopyFlags {
  from?: string;
  chown?: { user?: string; group?: string };
  mode?: string;
  checksum?: string;
}

function readFlags(flags: readonly InstructionFlag[], isAdd: boolean): CopyFlags | string {
  const out: CopyFlags = {};
  for (const { name, value = '' } of flags) {
    switch (name) {
      case 'from':
        if (isAdd) return '--from is not an ADD option';
        out.from = value;
        break;
      case 'chown': {
        const m = /^([^:]*)(?::([^:]*))?$/.exec(value);
        const user = m?.[1] || undefined;
        const group = m?.[2] || undefined;
        const ids = [user, group].filter((id) => id !== undefined);
        if (m === null || ids.length === 0 || !ids.every(isUserOrGroupId)) {
          return `--chown=${value}: only user[:group] names or ids are converted`;
        }
        out.chown = { user, group };
        break;
      }
      case 'chmod':
        if (!/^[0-7]{3,4}$/.test(value)) return `--chmod=${value}: only octal modes are converted`;
        out.mode = value;
        break;
      case 'checksum':
        if (!isAdd) return '--checksum is an ADD option';
        if (!SHA256.test(value)) return `--checksum=${value}: only sha256:<hex> is converted`;
        out.checksum = value.toLowerCase();
        break;
      case 'link':
        // --link only changes how Docker caches the layer, not what the image holds.
        break;
      default:
        return `--${name} is not converted`;
    }
  }
  return out;
}

function contextSteps(
  value: string,
  dest: string,
  destIsDir: boolean,
  isAdd: boolean,
  flags: CopyFlags,
  list: (reason: string) => void,
): ConvertedStep[] {
  const src = resolveContextPath(value);
  if (src === undefined) {
    list('the source is outside the build context');
    return [];
  }
  if (isAdd && OTHER_ARCHIVE.test(src.path)) {
    list('ADD unpacks this archive, and only tar, tar.gz and tar.xz are converted');
    return [];
  }
  if (isAdd && TAR_ARCHIVE.test(src.path)) {
    // ADD unpacks a local archive into the destination directory: copy it there, unpack, remove it.
    const archive = childPath(dest, src.path);
    return withOwner(
      [
        { action: 'copy', src: src.path, dest: asDirectory(dest) },
        { action: 'extract', archive, dest, 'remove-archive': true },
      ],
      dest,
      flags,
    );
  }
  if (src.dir && dest === '/') {
    list("copying a directory's contents into / is not converted");
    return [];
  }
  // A directory's contents land in the destination itself; a file lands inside a directory one.
  const [copyDest, result] = src.dir
    ? [dest, dest]
    : destIsDir
      ? [asDirectory(dest), childPath(dest, src.path)]
      : [dest, dest];
  return withOwner(
    [{ action: 'copy', src: src.path, dest: copyDest, mode: flags.mode }],
    result,
    flags,
  );
}

function fetchSteps(
  url: string,
  dest: string,
  destIsDir: boolean,
  flags: CopyFlags,
  list: (reason: string) => void,
): ConvertedStep[] {
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    list('only http and https downloads are converted');
    return [];
  }
  const parsed = new URL(url);
  if (parsed.hash !== '' || parsed.pathname.endsWith('.git')) {
    list('git sources are not converted');
    return [];
  }
  const name = posix.basename(parsed.pathname);
  if (destIsDir && name === '') {
    list('the file name cannot be taken from the URL; give the destination file');
    return [];
  }
  const path = destIsDir ? childPath(dest, name) : dest;
  if (flags.checksum === undefined)
    list(
      `fill in the hash: the fetch step has the placeholder ${JSON.stringify(PLACEHOLDER_HASH)}`,
    );
  return withOwner(
    [
      {
        action: 'fetch',
        url,
        dest: path,
        hash: flags.checksum ?? PLACEHOLDER_HASH,
        mode: flags.mode,
      },
    ],
    path,
    flags,
  );
}

/** `--chown` becomes a recursive chown of what was copied. */
function withOwner(steps: ConvertedStep[], path: string, flags: CopyFlags): ConvertedStep[] {
  if (flags.chown === undefined) return steps;
  return [...steps, { action: 'chown', path, ...flags.chown, recursive: true }];
}
