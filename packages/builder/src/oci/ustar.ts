// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';

/** Tar block size: headers and content are padded to it. */
export const BLOCK_SIZE = 512;

/** ustar typeflags we write (POSIX.1-1988 plus `x` of POSIX.1-2001). */
export type TarTypeflag = '0' | '1' | '2' | '3' | '4' | '5' | '6';

/** One tar member's header as the layer writer decides it; names are already tar names. */
export interface TarHeader {
  /** Relative name; directories end in `/`. */
  readonly name: string;
  readonly typeflag: TarTypeflag;
  /** `mode & 0o7777`. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content bytes that follow (regular files only). */
  readonly size: number;
  /** Seconds since the epoch, already clamped. */
  readonly mtime: number;
  /** Symlink target or hardlink target name. */
  readonly linkname?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
}

const encoder = new TextEncoder();

// Field widths of the ustar header (offset, length).
const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * The blocks of one member header: a PAX extended header (`x`) first when ustar cannot hold a
 * value (01 §6.3), then the ustar header. Content and its padding are the caller's.
 */
export function encodeHeader(h: TarHeader): Uint8Array[] {
  const pax: [string, string][] = [];
  const name = encoder.encode(h.name);
  let nameField: Uint8Array = name;
  let prefixField: Uint8Array = new Uint8Array(0);
  if (!isAscii(h.name)) {
    pax.push(['path', h.name]);
    nameField = asciiFallback(h.name, 100);
  } else if (name.length > 100) {
    const split = splitUstarName(h.name);
    if (split !== null) {
      prefixField = encoder.encode(split.prefix);
      nameField = encoder.encode(split.name);
    } else {
      pax.push(['path', h.name]);
      nameField = asciiFallback(h.name, 100);
    }
  }
  let linkField: Uint8Array = new Uint8Array(0);
  if (h.linkname !== undefined) {
    linkField = encoder.encode(h.linkname);
    if (!isAscii(h.linkname) || linkField.length > 100) {
      pax.push(['linkpath', h.linkname]);
      linkField = asciiFallback(h.linkname, 100);
    }
  }
  // Numbers too large for their octal field go to PAX; the field then holds 0, as Go's writer does.
  const numeric = (key: string, value: number, digits: number): number => {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new VcError(
        'INTERNAL',
        `tar ${key} ${value} of ${h.name} is not a non-negative integer`,
      );
    }
    if (value < 8 ** digits) return value;
    pax.push([key, String(value)]);
    return 0;
  };
  const uid = numeric('uid', h.uid, 7);
  const gid = numeric('gid', h.gid, 7);
  const size = numeric('size', h.size, 11);
  const mtime = numeric('mtime', h.mtime, 11);
  for (const [key, value] of [
    ['devmajor', h.devMajor ?? 0],
    ['devminor', h.devMinor ?? 0],
  ] as const) {
    // No POSIX PAX keyword exists for device numbers; Linux's fit in 7 octal digits anyway.
    if (value >= 8 ** 7 || value < 0) {
      throw new VcError('INTERNAL', `tar ${key} ${value} of ${h.name} does not fit ustar`);
    }
  }

  const block = new Uint8Array(BLOCK_SIZE);
  putBytes(block, F.name, nameField);
  putOctal(block, F.mode, h.mode & 0o7777);
  putOctal(block, F.uid, uid);
  putOctal(block, F.gid, gid);
  putOctal(block, F.size, size);
  putOctal(block, F.mtime, mtime);
  putBytes(block, F.typeflag, encoder.encode(h.typeflag));
  putBytes(block, F.linkname, linkField);
  putBytes(block, F.magic, encoder.encode('ustar\0'));
  putBytes(block, F.version, encoder.encode('00'));
  // uname/gname stay empty (all NUL): numeric ids only (01 §6.3).
  putOctal(block, F.devmajor, h.devMajor ?? 0);
  putOctal(block, F.devminor, h.devMinor ?? 0);
  putBytes(block, F.prefix, prefixField);
  putChecksum(block);

  if (pax.length === 0) return [block];
  return [...encodePaxHeader(h.name, pax), block];
}

/** Two zero blocks end the archive; nothing follows them (no 10 KiB record padding). */
export function endOfArchive(): Uint8Array {
  return new Uint8Array(2 * BLOCK_SIZE);
}

/** Zero bytes completing `size` content bytes to a whole block. */
export function paddingFor(size: number): Uint8Array {
  const rest = size % BLOCK_SIZE;
  return new Uint8Array(rest === 0 ? 0 : BLOCK_SIZE - rest);
}

/**
 * Splits a long ASCII name into ustar prefix (≤ 155) and name (≤ 100) at a `/`, taking the
 * longest prefix as GNU tar and Go's archive/tar do; null when no split fits.
 */
export function splitUstarName(path: string): { prefix: string; name: string } | null {
  let length = path.length;
  if (length > 156) length = 156;
  else if (path.endsWith('/')) length--;
  const i = path.lastIndexOf('/', length - 1);
  if (i <= 0) return null;
  const name = path.slice(i + 1);
  if (name.length === 0 || name.length > 100 || i > 155) return null;
  return { prefix: path.slice(0, i), name };
}

function encodePaxHeader(name: string, records: [string, string][]): Uint8Array[] {
  // Keys sorted so the record order never depends on the order of the checks above.
  const body = records
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => paxRecord(k, v))
    .join('');
  const data = encoder.encode(body);
  // Deterministic name in Go's style (`PaxHeaders.0/<base>`); readers ignore it.
  const slash = name.replace(/\/$/, '').lastIndexOf('/');
  const base = name.replace(/\/$/, '').slice(slash + 1);
  const dir = slash < 0 ? '' : name.slice(0, slash + 1);
  const header = new Uint8Array(BLOCK_SIZE);
  putBytes(header, F.name, asciiFallback(`${dir}PaxHeaders.0/${base}`, 100));
  putOctal(header, F.mode, 0);
  putOctal(header, F.uid, 0);
  putOctal(header, F.gid, 0);
  putOctal(header, F.size, data.length);
  putOctal(header, F.mtime, 0);
  putBytes(header, F.typeflag, encoder.encode('x'));
  putBytes(header, F.magic, encoder.encode('ustar\0'));
  putBytes(header, F.version, encoder.encode('00'));
  putOctal(header, F.devmajor, 0);
  putOctal(header, F.devminor, 0);
  putChecksum(header);
  const content = new Uint8Array(data.length + paddingFor(data.length).length);
  content.set(data);
  return [header, content];
}

/** `"<len> <key>=<value>\n"` where `<len>` counts the whole record, its own digits included. */
export function paxRecord(key: string, value: string): string {
  const rest = encoder.encode(` ${key}=${value}\n`).length;
  let len = rest + String(rest).length;
  // Adding the digits can add a digit (9 + 1 → 10): recount once, which always settles.
  if (String(len).length !== String(rest).length) len = rest + String(len).length;
  return `${len} ${key}=${value}\n`;
}

/** Printable-or-control ASCII without NUL: what a ustar field holds unambiguously. */
function isAsciiCode(code: number): boolean {
  return code > 0 && code < 0x80;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isAsciiCode(text.charCodeAt(i))) return false;
  return true;
}

/** Best-effort ustar field for a value held in PAX: ASCII bytes only, truncated, no trailing `/`. */
function asciiFallback(text: string, max: number): Uint8Array {
  let ascii = [...text].filter((ch) => isAsciiCode(ch.charCodeAt(0))).join('');
  if (ascii.length > max) {
    // A truncated regular-file name ending in `/` would look like a directory to old readers.
    ascii = ascii.slice(0, max).replace(/\/+$/, '');
  }
  return encoder.encode(ascii);
}

function putBytes(block: Uint8Array, [offset, length]: readonly [number, number], v: Uint8Array) {
  if (v.length > length) throw new VcError('INTERNAL', 'tar header field overflow');
  block.set(v, offset);
}

/** Zero-padded octal digits filling the field but its last byte, which stays NUL. */
function putOctal(block: Uint8Array, field: readonly [number, number], value: number) {
  const digits = field[1] - 1;
  putBytes(block, field, encoder.encode(value.toString(8).padStart(digits, '0')));
}

function putChecksum(block: Uint8Array) {
  const [offset, length] = F.chksum;
  block.fill(0x20, offset, offset + length);
  let sum = 0;
  for (const b of block) sum += b;
  // Six octal digits, NUL, space: the form GNU tar and Go write.
  block.set(encoder.encode(`${sum.toString(8).padStart(6, '0')}\0 `), offset);
}
