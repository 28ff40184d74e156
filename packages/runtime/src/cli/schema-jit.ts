// SPDX-License-Identifier: Apache-2.0
// zod's `jitless` setting for the vordr process (zod's `z.config({ jitless: true })`, set through
// the global config object every copy of zod shares, since the runtime does not import zod).
//   By default zod compiles each object schema into a specialised parser (`new Function`) the
//   first time it parses with it. That pays off when a schema parses many documents; a `vordr`
//   process parses each of its documents (manifest, trust store, records) about once, so the
//   compiling is pure start-up cost (about 15 ms of CPU on `vordr run`). Validation is the same
//   either way: only how the parser is built differs.
//   zod reads the setting when a schema is constructed, and the shared package constructs its
//   schemas when it is imported: main.ts imports this module first.

interface ZodGlobalConfig {
  jitless?: boolean;
}

const scope = globalThis as { __zod_globalConfig?: ZodGlobalConfig };
(scope.__zod_globalConfig ??= {}).jitless = true;
