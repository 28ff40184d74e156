// SPDX-License-Identifier: Apache-2.0
import { expect, it } from 'vitest';
import { publishedIngressWarnings } from './lifecycle.js';

it('warns when a published port is also limited by an ingress entry', () => {
  const ports = [
    { containerPort: 80, protocol: 'tcp' as const },
    { containerPort: 53, protocol: 'udp' as const },
  ];
  expect(
    publishedIngressWarnings(ports, [
      { port: 80, protocol: 'tcp', source: 'any' },
      { port: 53, protocol: 'tcp', source: 'any' },
    ]),
  ).toEqual([expect.stringMatching(/^published port 80\/tcp is also limited by an ingress entry/)]);
});
