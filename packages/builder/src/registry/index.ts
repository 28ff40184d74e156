// SPDX-License-Identifier: Apache-2.0
// Registry pulls (01 §4) and `push` (01 §8). The OCI distribution client itself lives in
// @verified-container/host/registry (vordr pulls and pushes with it too).
export type {
  Credentials,
  AuthFileEnv,
  FetchHttpTransportOptions,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  HttpTransport,
  RequestBody,
  RegistryDeps,
  PushImageDeps,
  PushImageInput,
  PushResult,
  PushedBlob,
  PushedBundle,
  PushedTag,
  RegistryReference,
  FetchedManifest,
  PutManifestResult,
  ReferrersResult,
  RegistryClientOptions,
  AuthChallenge,
} from '@verified-container/host/registry';
export {
  authFilePaths,
  basicAuthorization,
  credentialsFromAuthFile,
  readRegistryCredentials,
  attachmentTag,
  DEFAULT_HEADERS_TIMEOUT_MS,
  FetchHttpTransport,
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  MANIFEST_ACCEPT,
  openRegistryClient,
  groupByRepository,
  pushImage,
  formatReference,
  parseRegistryReference,
  registryBaseUrl,
  repositoryName,
  usesPlainHttp,
  DEFAULT_REGISTRY_CLIENT_OPTIONS,
  RegistryClient,
  findChallenge,
  parseChallenges,
} from '@verified-container/host/registry';
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
export type { ImageConfigDocument, PullImageOptions, PulledImage } from './pull-image.js';
export { BUILDER_REGISTRY_CLIENT, MAX_CONFIG_BYTES, pullImage } from './pull-image.js';
export { defaultDestinations, parseDestinations, readBundleManifest } from './push-destinations.js';
