// SPDX-License-Identifier: Apache-2.0

// `cerro-torre validate --type` (04 §8) over document bytes.
export type {
  DocumentType,
  DocumentIssue,
  DocumentValidation,
  ValidateDocumentOptions,
} from './validate-document.js';
export { DOCUMENT_TYPES, isDocumentType, validateDocument } from './validate-document.js';
