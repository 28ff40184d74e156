// SPDX-License-Identifier: Apache-2.0
// The OCI distribution client cerro-torre and vordr share: references, auth files and token
// challenges, verified blob transfer, pulling an image and pushing one with its bundle artifact.
export type { Credentials, AuthFileEnv } from './auth-file.js';
export {
  authFilePaths,
  basicAuthorization,
  credentialsFromAuthFile,
  readRegistryCredentials,
} from './auth-file.js';
export type {
  ArtifactDescriptor,
  BundleArtifact,
  JsonBlob,
  ParsedArtifact,
} from './bundle-artifact.js';
export {
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  EMPTY_MEDIA_TYPE,
  attachmentTag,
  bundleArtifact,
  bundleLayerOf,
  parseArtifactManifest,
} from './bundle-artifact.js';
export { fetchBundle } from './fetch-bundle.js';
export type { FetchHttpTransportOptions } from './fetch-http-transport.js';
export { DEFAULT_HEADERS_TIMEOUT_MS, FetchHttpTransport } from './fetch-http-transport.js';
export type {
  HttpMethod,
  HttpRequest,
  HttpResponse,
  HttpTransport,
  RequestBody,
} from './http-transport.js';
export { readBody } from './http-transport.js';
export {
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MANIFEST_ACCEPT,
} from './media-types.js';
export type { RegistryDeps } from './open-registry.js';
export { openRegistryClient } from './open-registry.js';
export type {
  ImageConfigDocument,
  PullImageOptions,
  PullTarget,
  PulledImage,
} from './pull-image.js';
export { MAX_CONFIG_BYTES, pullImage } from './pull-image.js';
export type {
  PushImageDeps,
  PushImageInput,
  PushResult,
  PushSource,
  PushedBlob,
  PushedBundle,
  PushedTag,
} from './push-image.js';
export { groupByRepository, pushImage } from './push-image.js';
export type { RegistryReference } from './reference.js';
export {
  formatReference,
  hostName,
  parseDestination,
  parseRegistryReference,
  registryBaseUrl,
  repositoryName,
  usesPlainHttp,
} from './reference.js';
export type {
  FetchedManifest,
  PutManifestResult,
  ReferrersResult,
  RegistryClientOptions,
} from './registry-client.js';
export { DEFAULT_REGISTRY_CLIENT_OPTIONS, RegistryClient } from './registry-client.js';
export type { AuthChallenge } from './www-authenticate.js';
export { findChallenge, parseChallenges } from './www-authenticate.js';
