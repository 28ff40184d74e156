// SPDX-License-Identifier: Apache-2.0
export type { ManifestResult, ParseManifestOptions } from './parse.js';
export { parseManifest } from './parse.js';
export type { ManifestDiagnostic, ManifestSeverity } from './diagnostics.js';
export { formatDiagnostic } from './diagnostics.js';
export type {
  Manifest,
  ManifestStep,
  ExternalDependency,
  EgressRule,
  IngressRule,
  BaseImage,
  Architecture,
} from './schema.js';
export { ManifestSchema, ARCHITECTURES } from './schema.js';
export { parseBaseImage } from './base-image.js';
export type { StepAction } from './schema-steps.js';
export { STEP_ACTIONS } from './schema-steps.js';
export type { Threshold } from './values.js';
export type { Capability } from './capabilities.js';
export {
  DEFAULT_CAPABILITIES,
  LINUX_CAPABILITIES,
  effectiveCapabilities,
  normalizeCapability,
} from './capabilities.js';
export type { ExplainDocument, ExplainStep, ExplainEnvironmentVariable } from './explain.js';
export { explainManifest } from './explain.js';
export { renderExplain } from './render-explain.js';
export { hasRuntimeVariables } from './runtime-variables.js';
export type { PolicyRule, ParsedPolicy } from './selinux-policy.js';
export { parsePolicy } from './selinux-policy.js';
export { SELINUX_CLASSES, selinuxPermissions } from './selinux-classes.js';
export type { SelinuxCilModule, SelinuxCilInput } from './selinux-cil.js';
export {
  SELINUX_MODULE_DIR,
  selinuxCilFromManifest,
  selinuxCilFromPolicy,
  selinuxModuleName,
} from './selinux-cil.js';
export { MAX_MANIFEST_BYTES } from './encoding.js';
