// SPDX-License-Identifier: Apache-2.0
// The files the builder generates for a `custom-policy` (01 §2.3, §6.2 steps layer).
import {
  selinuxCilFromManifest,
  type Manifest,
  type SelinuxCilModule,
} from '@verified-container/shared/manifest';
import { checkSelinuxModule, type SelinuxCheckDeps } from './check-selinux-module.js';

/** A file the builder adds to the image's steps layer (owner 0:0). */
export interface GeneratedImageFile {
  /** Absolute path in the image. */
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly mode: number;
}

/** The module files of a manifest and the module itself, for the image labels. */
export interface SelinuxModuleOutput {
  readonly module: SelinuxCilModule;
  readonly files: readonly GeneratedImageFile[];
}

/**
 * The SELinux module of the manifest's `custom-policy`, checked with secilc, as files for the
 * image: `[{ path: /usr/share/verified-container/selinux/vc_<name>.cil, bytes, mode: 0o644 }]`;
 * `[]` without a custom-policy (secilc is then not needed).
 *
 * @throws VcError BUILD_SELINUX_POLICY or BUILD_TOOL_MISSING, see {@link checkSelinuxModule}.
 */
export async function selinuxModuleFiles(
  manifest: Pick<Manifest, 'package' | 'security'>,
  deps: SelinuxCheckDeps,
): Promise<GeneratedImageFile[]> {
  const output = await buildSelinuxModule(manifest, deps);
  return output === undefined ? [] : [...output.files];
}

/**
 * Like {@link selinuxModuleFiles}, and also returns the module (name, text) so the build can
 * set the `org.verified-container.selinux.*` labels; undefined without a custom-policy.
 */
export async function buildSelinuxModule(
  manifest: Pick<Manifest, 'package' | 'security'>,
  deps: SelinuxCheckDeps,
): Promise<SelinuxModuleOutput | undefined> {
  const module = selinuxCilFromManifest(manifest);
  if (module === undefined) return undefined;
  await checkSelinuxModule(deps, module);
  const bytes = new TextEncoder().encode(module.module);
  return { module, files: [{ path: module.path, bytes, mode: 0o644 }] };
}
