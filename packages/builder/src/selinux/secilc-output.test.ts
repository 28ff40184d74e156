// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { secilcErrorSummary } from './secilc-output.js';

describe('secilcErrorSummary', () => {
  it('takes the cause and adds the location of the refused declaration', () => {
    const stderr =
      'Re-declaration of type a_t\nPrevious declaration of type at vc_x.cil:5\n' +
      'Bad type declaration at vc_x.cil:5\nFailed to build AST\nFailed to compile cildb: -1\n';
    expect(secilcErrorSummary(stderr, 255)).toBe('Re-declaration of type a_t (vc_x.cil:5)');
  });

  it('skips the "Invalid name" line after a reserved word', () => {
    const stderr =
      'Name self is a reserved word\nInvalid name\nBad type declaration at vc_x.cil:4\n' +
      'Failed to build AST\nFailed to compile cildb: -1\n';
    expect(secilcErrorSummary(stderr, 255)).toBe('Name self is a reserved word (vc_x.cil:4)');
  });

  it('keeps a line that carries its own location', () => {
    const stderr =
      'Failed to resolve allow statement at stub.cil:5\nFailed to resolve AST\nFailed to compile cildb: -2\n';
    expect(secilcErrorSummary(stderr, 254)).toBe('Failed to resolve allow statement at stub.cil:5');
  });

  it('takes a cause without any location as it is', () => {
    const stderr =
      'Policy must include at least one avrule\nFailed to verify cil database\nPost process failed\nFailed to compile cildb: -1\n';
    expect(secilcErrorSummary(stderr, 255)).toBe('Policy must include at least one avrule');
  });

  it('falls back to the first line, then to the exit status', () => {
    expect(secilcErrorSummary('Failed to build AST\r\n', 1)).toBe('Failed to build AST');
    expect(secilcErrorSummary('\n', 139)).toBe('secilc exited with status 139 and no message');
  });
});
