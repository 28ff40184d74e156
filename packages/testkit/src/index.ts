// SPDX-License-Identifier: Apache-2.0
export type { SpecKeyName } from './keys.js';
export { seedKey, SPEC_SEEDS, SPEC_KEYS, randomKey } from './keys.js';
export type { WorkedExampleBundle } from './worked-example.js';
export {
  WORKED_EXAMPLE_SUBJECT,
  WORKED_EXAMPLE_IMAGE_DIGEST,
  WORKED_EXAMPLE_STATEMENTS,
  WORKED_EXAMPLE_ATTESTATION_DIGESTS,
  WORKED_EXAMPLE_LOG_ENTRIES,
  WORKED_EXAMPLE_PREVIOUS_LEAVES,
  workedExampleEnvelopes,
  workedExampleBundle,
} from './worked-example.js';
export type {
  CliOutput,
  CliRunner,
  SyncCliRunner,
  SignedManifestOptions,
  SignedImageSetup,
} from './signed-image.js';
export {
  FILE_LOGS,
  KEYHOLDERS,
  writeMotdStep,
  signedManifest,
  signedImageSteps,
  setUpSignedImage,
  setUpSignedImageSync,
} from './signed-image.js';
export type { SeenRequest, MemoryRegistryOptions, OneLayerImage } from './memory-registry.js';
export {
  recorded,
  replay,
  ScriptedTransport,
  MemoryRegistry,
  oneLayerImage,
} from './memory-registry.js';
export type { RegistryServer, RegistryServerOptions } from './registry-server.js';
export {
  DOCKER_REGISTRY,
  TEST_USER,
  freePort,
  hasDockerRegistry,
  hasOpenssl,
  startRegistry,
} from './registry-server.js';
