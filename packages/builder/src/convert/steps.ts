// SPDX-License-Identifier: Apache-2.0
// The build steps (01 §3) a Dockerfile converts to, keyed as the manifest writes them. Optional keys
// are left out when they hold the action's default.
import type { TomlValue } from './toml-writer.js';

export type ConvertedStep =
  | { action: 'mkdir'; path: string; mode?: string }
  | { action: 'fetch'; url: string; dest: string; hash: string; mode?: string }
  | { action: 'extract'; archive: string; dest: string; 'remove-archive': boolean }
  | { action: 'copy'; src: string; dest: string; mode?: string }
  | { action: 'symlink'; target: string; link: string; force?: boolean }
  | { action: 'chown'; path: string; user?: string; group?: string; recursive?: boolean }
  | { action: 'chmod'; path: string; mode: string; recursive?: boolean }
  | {
      action: 'user';
      name: string;
      uid?: number;
      group?: string;
      home?: string;
      shell?: string;
      system?: boolean;
      'create-home'?: boolean;
    }
  | { action: 'group'; name: string; gid?: number; system?: boolean }
  | { action: 'composer-require'; package: string; dir?: string };

/** The placeholder of a fetch step whose digest the user must fill in (01 §1.4 flags it). */
export const PLACEHOLDER_HASH = 'sha256:...';

/** The step as a TOML inline table, `action` first, absent keys dropped. */
export function stepToToml(step: ConvertedStep): Record<string, TomlValue> {
  const out: Record<string, TomlValue> = {};
  for (const [key, value] of Object.entries(step) as [string, TomlValue | undefined][]) {
    if (value !== undefined) out[key] = value;
  }
  return out;
}
