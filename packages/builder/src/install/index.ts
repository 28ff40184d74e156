// SPDX-License-Identifier: Apache-2.0
export type {
  InstallDebsDeps,
  InstallDebsOptions,
  InstallMode,
  InstallReport,
  InstallRoute,
  InstalledDeb,
} from './dpkg-install.js';
export {
  DEFAULT_INSTALL_TIMEOUT_MS,
  MAINTAINER_SCRIPT_PATH,
  installDebs,
  maintainerScriptEnv,
  orderPackages,
} from './dpkg-install.js';
export type { DebControl } from './deb-control.js';
export { readDebControl } from './deb-control.js';
export { cleanUpAfterInstall } from './post-install.js';
