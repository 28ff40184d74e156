// SPDX-License-Identifier: Apache-2.0
// The check list of `cerro-torre verify <target>` (04 §9) lives in the shared core, where
// `vordr verify` uses it too.
export type { Check, CheckStatus, CheckListContext } from '@verified-container/shared/verify';
export {
  checksOf,
  renderCheckList,
  headerLine,
  decisionLine,
} from '@verified-container/shared/verify';
