// SPDX-License-Identifier: Apache-2.0
// `WWW-Authenticate` challenges (RFC 9110 §11.6.1) as registries send them:
//   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"
//   Basic realm="registry"

/** One challenge: its scheme (lower-cased) and its parameters (names lower-cased). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/**
 * Parses a `WWW-Authenticate` value into its challenges, in order. Pure; never throws: what
 * cannot be read ends the list (a registry's odd header then just offers fewer schemes).
 */
export function parseChallenges(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  let rest = header;
  const skip = (re: RegExp) => {
    rest = rest.replace(re, '');
  };
  skip(/^[\s,]+/);
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (scheme === undefined) break;
    rest = rest.slice(scheme.length);
    const params: Record<string, string> = {};
    skip(/^[ \t]+/);
    // auth-params until the next challenge (a token not followed by "=") or the end.
    for (;;) {
      const name = TOKEN.exec(rest)?.[0];
      if (name === undefined) break;
      const after = rest.slice(name.length).replace(/^[ \t]*/, '');
      if (!after.startsWith('=')) break;
      rest = after.slice(1).replace(/^[ \t]*/, '');
      const value = readValue(rest);
      if (value === undefined) return [...out, { scheme: scheme.toLowerCase(), params }];
      params[name.toLowerCase()] = value.value;
      rest = value.rest;
      skip(/^[ \t]*/);
      if (!rest.startsWith(',')) break;
      skip(/^[\s,]+/);
    }
    out.push({ scheme: scheme.toLowerCase(), params });
    skip(/^[\s,]+/);
  }
  return out;
}

/** The first challenge of `scheme` (case-insensitive), if offered. */
export function findChallenge(
  challenges: readonly AuthChallenge[],
  scheme: string,
): AuthChallenge | undefined {
  const wanted = scheme.toLowerCase();
  return challenges.find((c) => c.scheme === wanted);
}

function readValue(text: string): { value: string; rest: string } | undefined {
  if (!text.startsWith('"')) {
    const token = TOKEN.exec(text)?.[0];
    return token === undefined ? undefined : { value: token, rest: text.slice(token.length) };
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      value += text[++i];
    } else if (c === '"') {
      return { value, rest: text.slice(i + 1) };
    } else {
      value += c;
    }
  }
  return undefined;
}
