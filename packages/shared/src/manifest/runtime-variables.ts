// SPDX-License-Identifier: Apache-2.0
// `${…}` run-time variables in [runtime.environment] values (01 §2.1). They are kept verbatim in the image
// config and expanded by vordr at run time; here we only check the syntax.

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

/** Why `value` is not a valid environment value, or undefined. */
export function runtimeVariableProblem(value: string): string | undefined {
  let i = 0;
  while (i < value.length) {
    const at = value.indexOf('$', i);
    if (at < 0) return undefined;
    const next = value[at + 1];
    if (next === '$') {
      i = at + 2;
      continue;
    }
    if (next !== '{') {
      i = at + 1;
      continue;
    }
    NAME.lastIndex = at + 2;
    const name = NAME.exec(value)?.[0];
    if (name === undefined) {
      return `"\${" at offset ${at} must be followed by a variable name ([A-Za-z_][A-Za-z0-9_]*)`;
    }
    let k = at + 2 + name.length;
    if (k >= value.length) return `unterminated "\${${name}": missing "}"`;
    const op =
      value.startsWith(':-', k) || value.startsWith(':?', k)
        ? 2
        : '-?'.includes(value[k] ?? '')
          ? 1
          : 0;
    if (op === 0 && value[k] !== '}') {
      return `unexpected ${JSON.stringify(value[k] ?? '')} after "\${${name}"; expected "}", ":-", "-", ":?" or "?"`;
    }
    k += op;
    const close = value.indexOf('}', k);
    if (close < 0) return `unterminated "\${${name}": missing "}"`;
    i = close + 1;
  }
  return undefined;
}

/** Whether `value` holds a `${…}` resolved at run time. */
export function hasRuntimeVariables(value: string): boolean {
  return value.replaceAll('$$', '').includes('${');
}
