// SPDX-License-Identifier: Apache-2.0
// External dependencies and other hashes outside the steps (01 §1.4, §2).
import type { CheckContext } from './check-context.js';
import { stringAt, tableAt } from './tree.js';
import { checkHash, contextPathProblem, fileNameOf, httpUrlProblem } from './values.js';

const ARCHIVE_HINT = 'use the https URL of a release archive';

export function checkSources(ctx: CheckContext): void {
  const { root, report } = ctx;
  const external = tableAt(root, ['dependencies', 'external']) ?? {};
  for (const name of Object.keys(external)) {
    const base = ['dependencies', 'external', name];
    const source = stringAt(root, [...base, 'source']);
    let file: string | undefined;
    if (source !== undefined) {
      if (/^https?:\/\//.test(source)) {
        const problem = httpUrlProblem(source);
        if (problem !== undefined)
          report({
            code: 'MANIFEST_VALUE',
            path: [...base, 'source'],
            message: `source ${problem}`,
          });
        file = fileNameOf(source);
      } else if (source.startsWith('file:')) {
        const problem = contextPathProblem(source.slice(5));
        if (problem !== undefined)
          report({
            code: 'MANIFEST_PATH',
            path: [...base, 'source'],
            message: `file: path ${problem}`,
          });
        file = fileNameOf(source);
      } else {
        const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(source)?.[1];
        report(
          scheme === undefined
            ? {
                code: 'MANIFEST_VALUE',
                path: [...base, 'source'],
                message: `source ${JSON.stringify(source)} must be an https://, http:// or file: URL`,
                hint: ARCHIVE_HINT,
              }
            : {
                code: 'MANIFEST_UNSUPPORTED',
                path: [...base, 'source'],
                message: `${scheme}: sources are not supported (${JSON.stringify(source)})`,
                hint: ARCHIVE_HINT,
              },
        );
      }
    }
    const hash = stringAt(root, [...base, 'hash']);
    const problem = hash === undefined ? undefined : checkHash(hash, file);
    if (problem !== undefined) report({ ...problem, path: [...base, 'hash'] });
  }

  const sourceHash = stringAt(root, ['provenance', 'source-hash']);
  if (sourceHash !== undefined && sourceHash !== '') {
    const problem = checkHash(sourceHash);
    if (problem !== undefined) report({ ...problem, path: ['provenance', 'source-hash'] });
  }
}
