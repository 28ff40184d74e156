// SPDX-License-Identifier: Apache-2.0
export { writeFileAtomic } from '@verified-container/host';
