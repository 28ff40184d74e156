// SPDX-License-Identifier: Apache-2.0
import type { Reporter } from './diagnostics.js';
import type { TomlLocations } from './locate.js';
import type { TomlTable } from './tree.js';

/** What a hand-written check sees: the template-resolved TOML tree, positions, and where to report. */
export interface CheckContext {
  readonly root: TomlTable;
  readonly locations: TomlLocations;
  readonly report: Reporter;
}
