// SPDX-License-Identifier: Apache-2.0
// OCI distribution client, registry pulls (01 §4) and `push` (01 §8).
export type { Credentials, AuthFileEnv } from './auth-file.js';
export {
  authFilePaths,
  basicAuthorization,
  credentialsFromAuthFile,
  readRegistryCredentials,
} from './auth-file.js';
export { attachmentTag } from './bundle-artifact.js';
export type { FetchHttpTransportOptions } from './fetch-http-transport.js';
export { DEFAULT_HEADERS_TIMEOUT_MS, FetchHttpTransport } from './fetch-http-transport.js';
export type {
  HttpMethod,
  HttpRequest,
  HttpResponse,
  HttpTransport,
  RequestBody,
} from './http-transport.js';
export type {
  ImageDocument,
  ImageIndex,
  ImageManifest,
  IndexEntry,
  Platform,
} from './image-documents.js';
export {
  MAX_MANIFEST_BYTES,
  formatPlatform,
  parseImageDocument,
  selectPlatform,
} from './image-documents.js';
export {
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MANIFEST_ACCEPT,
} from './media-types.js';
export type { RegistryDeps } from './open-registry.js';
export { openRegistryClient } from './open-registry.js';
export type { ImageConfigDocument, PullImageOptions, PulledImage } from './pull-image.js';
export { MAX_CONFIG_BYTES, pullImage } from './pull-image.js';
export { defaultDestinations, parseDestinations, readBundleManifest } from './push-destinations.js';
export type {
  PushImageDeps,
  PushImageInput,
  PushResult,
  PushedBlob,
  PushedBundle,
  PushedTag,
} from './push-image.js';
export { groupByRepository, pushImage } from './push-image.js';
export type { RegistryReference } from './reference.js';
export {
  formatReference,
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
