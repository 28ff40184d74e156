// SPDX-License-Identifier: Apache-2.0
// The pure rules of reading a `.ctp` package (02 §3), shared by cerro-torre and vordr: which
// member names, types and links are allowed, and what a reader must create for each member. The
// readers (tar decoding, files) live in the apps.
import { VcError } from '../errors.js';

/** `manifest.toml` of a package. */
export const PACKAGE_MANIFEST_PATH = 'manifest.toml';
/** The attestation bundle of a package: the only attestation input a verifier uses. */
export const BUNDLE_PATH = 'attestations/bundle.json';
/** The OCI layout directory of a package. */
export const PACKAGE_LAYOUT_DIR = 'oci-layout';

/** The limits of 02 §3 beyond which a package is MALFORMED_BUNDLE. */
export interface PackageLimits {
  /** Largest JSON or TOML member. */
  readonly maxMetadataBytes: number;
  /** Sum of all member sizes. */
  readonly maxTotalBytes: number;
  readonly maxEntries: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxMetadataBytes: 64 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
  maxEntries: 1_000_000,
};

/** Members the table of 02 §3 names; each must be a regular file when present. */
export const KNOWN_PACKAGE_FILES: readonly string[] = [
  PACKAGE_MANIFEST_PATH,
  BUNDLE_PATH,
  'attestations/sbom.spdx.json',
  'attestations/provenance.json',
  'attestations/file-integrity.json',
  'oci-layout/oci-layout',
  'oci-layout/index.json',
];

/** Member kinds as tar readers report them. */
export type PackageEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'socket'
  | 'unknown';

/** One tar header of a package. */
export interface PackageEntry {
  /** The member name exactly as stored. */
  readonly name: string;
  readonly type: PackageEntryType;
  /** Bytes of the body (files). */
  readonly size: number;
  /** Target of a symlink, or the member a hardlink points to. */
  readonly linkName?: string;
}

/**
 * What a reader creates for one member, paths relative to the package root with `/`:
 * `mkdirs` first (parents the archive did not list, in order), then the member itself.
 */
export type PackageStep =
  /** An entry that names the root itself (`./`): nothing to do. */
  | { readonly kind: 'skip' }
  /** `create` false: the directory was already made as an unlisted parent. */
  | {
      readonly kind: 'directory';
      readonly path: string;
      readonly mkdirs: readonly string[];
      readonly create: boolean;
    }
  /** Write the body to a new file (never through an existing name). */
  | { readonly kind: 'file'; readonly path: string; readonly mkdirs: readonly string[] }
  /** A relative symlink; whether it stays inside is checked by {@link PackageMemberTable.finish}. */
  | {
      readonly kind: 'symlink';
      readonly path: string;
      readonly mkdirs: readonly string[];
      readonly target: string;
    }
  /** A hardlink to an earlier regular file of the package (`target` is a package path). */
  | {
      readonly kind: 'hardlink';
      readonly path: string;
      readonly mkdirs: readonly string[];
      readonly target: string;
    };

type MemberType = 'f' | 'd' | 'l';

/** Symlinks followed while checking one target, as Linux's limit. */
const MAX_HOPS = 40;

/**
 * The member table of one package being read (02 §3), pure: `add` every header in archive order,
 * do what the returned step says, then `finish`. Absolute names, `..` segments, symlinks or
 * hardlinks whose target is absolute or resolves outside the package, devices, FIFOs, sockets,
 * duplicate paths, a member written through a symlink or a file, a known member that is not a
 * regular file, an empty archive and the size and count limits are MALFORMED_BUNDLE.
 */
export class PackageMemberTable {
  private readonly types = new Map<string, MemberType>();
  /** Directories made for members whose parents were not listed first. */
  private readonly implicit = new Set<string>();
  private readonly links = new Map<string, string>();
  private entries = 0;
  private total = 0;

  constructor(
    /** The package as people named it, for messages. */
    private readonly display: string,
    private readonly limits: PackageLimits = DEFAULT_PACKAGE_LIMITS,
  ) {}

  /** Checks one header and says what to create for it; MALFORMED_BUNDLE when it breaks a rule. */
  add(entry: PackageEntry): PackageStep {
    const display = this.display;
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw malformedPackage(display, `has more than ${this.limits.maxEntries} entries`);
    }
    const parts = memberParts(entry.name, display);
    if (parts.length === 0) {
      if (entry.type === 'directory') return { kind: 'skip' };
      throw malformedPackage(display, `has an entry ${JSON.stringify(entry.name)} with no name`);
    }
    const rel = parts.join('/');
    if (this.types.has(rel) && !(this.implicit.has(rel) && entry.type === 'directory')) {
      throw malformedPackage(display, `has two entries for ${rel}`);
    }
    const mkdirs: string[] = [];
    for (let k = 1; k < parts.length; k++) {
      const parent = parts.slice(0, k).join('/');
      const type = this.types.get(parent);
      if (type === undefined) {
        mkdirs.push(parent);
        this.types.set(parent, 'd');
        this.implicit.add(parent);
      } else if (type !== 'd') {
        throw malformedPackage(
          display,
          `writes ${rel} through ${type === 'l' ? 'the symlink' : 'the file'} ${parent}`,
        );
      }
    }
    switch (entry.type) {
      case 'directory': {
        const create = !this.implicit.delete(rel);
        this.types.set(rel, 'd');
        return { kind: 'directory', path: rel, mkdirs, create };
      }
      case 'file': {
        if (/\.(json|toml)$/.test(rel) && entry.size > this.limits.maxMetadataBytes) {
          throw malformedPackage(
            display,
            `member ${rel} is larger than ${this.limits.maxMetadataBytes} bytes`,
          );
        }
        this.total += entry.size;
        if (this.total > this.limits.maxTotalBytes) {
          throw malformedPackage(display, `holds more than ${this.limits.maxTotalBytes} bytes`);
        }
        this.types.set(rel, 'f');
        return { kind: 'file', path: rel, mkdirs };
      }
      case 'symlink': {
        const to = entry.linkName ?? '';
        if (to === '' || to.startsWith('/')) {
          throw malformedPackage(
            display,
            `has a symlink ${rel} to the absolute path ${JSON.stringify(to)}`,
          );
        }
        this.types.set(rel, 'l');
        this.links.set(rel, to);
        return { kind: 'symlink', path: rel, mkdirs, target: to };
      }
      case 'hardlink': {
        const to = memberParts(entry.linkName ?? '', display).join('/');
        if (this.types.get(to) !== 'f') {
          throw malformedPackage(
            display,
            `has a hardlink ${rel} to ${JSON.stringify(entry.linkName)}, which is not an earlier file`,
          );
        }
        this.types.set(rel, 'f');
        return { kind: 'hardlink', path: rel, mkdirs, target: to };
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
      case 'socket':
      case 'unknown':
        throw malformedPackage(display, `has an entry ${rel} of type ${entry.type}`);
    }
  }

  /** The checks that need every member: not empty, symlinks stay inside, known files regular. */
  finish(): void {
    if (this.entries === 0) throw malformedPackage(this.display, 'is an empty archive');
    for (const [from, to] of this.links) {
      if (!resolvesInside(from, to, this.links)) {
        throw malformedPackage(
          this.display,
          `has a symlink ${from} → ${to} that leaves the package`,
        );
      }
    }
    for (const known of KNOWN_PACKAGE_FILES) {
      const type = this.types.get(known);
      if (type !== undefined && type !== 'f') {
        throw malformedPackage(this.display, `member ${known} is not a regular file`);
      }
    }
  }

  /** The regular files read so far (package paths), in archive order. */
  files(): string[] {
    return [...this.types].filter(([, t]) => t === 'f').map(([p]) => p);
  }
}

/**
 * The path components of a member name: `./` prefixes and empty components dropped. An absolute
 * name or any `..` component → MALFORMED_BUNDLE.
 */
export function memberParts(name: string, pkg: string): string[] {
  if (name.startsWith('/')) {
    throw malformedPackage(pkg, `has an absolute entry name ${JSON.stringify(name)}`);
  }
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw malformedPackage(pkg, `has an entry name with "..": ${JSON.stringify(name)}`);
  }
  return parts;
}

/**
 * Whether the symlink at package path `from` (components joined by `/`) with relative target `to`
 * resolves inside the package root, following the package's other symlinks (`links`) as the
 * kernel would; a loop counts as leaving.
 */
export function resolvesInside(
  from: string,
  to: string,
  links: ReadonlyMap<string, string>,
): boolean {
  const done = from.split('/').slice(0, -1);
  const todo = to.split('/').reverse();
  let hops = 0;
  while (todo.length > 0) {
    const part = todo.pop() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (done.length === 0) return false;
      done.pop();
      continue;
    }
    done.push(part);
    const next = links.get(done.join('/'));
    if (next === undefined) continue;
    hops += 1;
    if (hops > MAX_HOPS || next.startsWith('/')) return false;
    done.pop();
    todo.push(...next.split('/').reverse());
  }
  return true;
}

/** MALFORMED_BUNDLE `the package <pkg> <why>`. */
export function malformedPackage(
  pkg: string,
  why: string,
  opts: { cause?: unknown; hint?: string } = {},
): VcError {
  return new VcError('MALFORMED_BUNDLE', `the package ${pkg} ${why}`, opts);
}
