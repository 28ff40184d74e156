// SPDX-License-Identifier: Apache-2.0
export { canonicalize, canonicalBytes } from './canonical.js';
export type { JsonValue, ParseJsonOptions } from './parse-json.js';
export { parseJson, decodeJsonText, lineColumn, DEFAULT_MAX_JSON_DEPTH } from './parse-json.js';
export type { JsonRejection } from './json-error.js';
export { JsonError } from './json-error.js';
export type { PathSegment } from './json-path.js';
export { formatJsonPath } from './json-path.js';
