// SPDX-License-Identifier: Apache-2.0
import type { TomlValue } from 'smol-toml';
import type { PathSegment } from '../json/index.js';

/** A TOML table as smol-toml returns it (null-prototype object). */
export type TomlTable = { [key: string]: TomlValue };
export type { TomlValue };
export type Segments = readonly PathSegment[];

export function isTable(value: unknown): value is TomlTable {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

/** The value under one key or index, or undefined; never reads inherited properties. */
export function childOf(value: TomlValue | undefined, key: PathSegment): TomlValue | undefined {
  if (typeof key === 'number') return Array.isArray(value) ? value[key] : undefined;
  return isTable(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

export function valueAt(root: TomlValue, path: Segments): TomlValue | undefined {
  let node: TomlValue | undefined = root;
  for (const key of path) {
    node = childOf(node, key);
    if (node === undefined) return undefined;
  }
  return node;
}

export function stringAt(root: TomlValue, path: Segments): string | undefined {
  const value = valueAt(root, path);
  return typeof value === 'string' ? value : undefined;
}

export function tableAt(root: TomlValue, path: Segments): TomlTable | undefined {
  const value = valueAt(root, path);
  return isTable(value) ? value : undefined;
}

/** The elements of an array of strings; undefined when absent or when any element is not a string. */
export function stringsAt(root: TomlValue, path: Segments): string[] | undefined {
  const value = valueAt(root, path);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return undefined;
  return value;
}

/** TOML type name of a value, for messages. */
export function typeName(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'bigint') return 'integer';
  if (typeof value === 'number') return 'float';
  if (typeof value === 'boolean') return 'boolean';
  if (value instanceof Date) return 'date-time';
  if (Array.isArray(value)) return 'array';
  return 'table';
}

/** Short rendering of a scalar for messages (strings quoted, long ones cut). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') {
    return `${typeName(value)} ${String(value)}`;
  }
  return typeName(value);
}
