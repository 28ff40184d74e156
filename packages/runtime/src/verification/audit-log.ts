// SPDX-License-Identifier: Apache-2.0
export { appendAuditRecord } from '@verified-container/host';
