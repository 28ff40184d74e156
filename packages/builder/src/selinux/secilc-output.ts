// SPDX-License-Identifier: Apache-2.0
// secilc's stderr reduced to the one line a person needs. secilc (libsepol CIL) prints the cause
// first, then where, then a stack of generic "Failed to …" lines, e.g.
//   Re-declaration of type container_web_t
//   Previous declaration of type at vc_app.cil:5      (3.4 names the new one here, not the first)
//   Bad type declaration at vc_app.cil:5
//   Failed to build AST
//   Failed to compile cildb: -1

/** Lines that only repeat that compilation stopped; they never say why. */
const NOISE: readonly RegExp[] = [
  /^Failed to (build|resolve) AST$/,
  /^Failed to compile cildb/,
  /^Failed to verify cil database$/,
  /^Post process failed$/,
  /^Invalid name$/,
  /^Previous declaration of /,
  /^Bad [a-z_ -]+ declaration at /,
];

/** `… at <file>:<line>`, the location secilc gives for the statement it refused. */
const LOCATION = / at ([^\s]+:\d+)$/;

/**
 * The first meaningful line of secilc's stderr, with the statement's `file:line` appended when
 * that line has none; a fallback naming the exit status when stderr says nothing.
 */
export function secilcErrorSummary(stderr: string, exitCode: number): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const cause = lines.find((l) => !NOISE.some((re) => re.test(l))) ?? lines[0];
  if (cause === undefined) return `secilc exited with status ${exitCode} and no message`;
  if (LOCATION.test(cause)) return cause;
  const where = lines.map((l) => LOCATION.exec(l)?.[1]).find((l) => l !== undefined);
  return where === undefined ? cause : `${cause} (${where})`;
}
