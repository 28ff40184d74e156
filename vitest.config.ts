// SPDX-License-Identifier: Apache-2.0
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const shared = fileURLToPath(new URL('./packages/shared/src/', import.meta.url));
const host = fileURLToPath(new URL('./packages/host/src/', import.meta.url));
const testkit = fileURLToPath(new URL('./packages/testkit/src/', import.meta.url));

// Unit tests import the shared core from source, so they need no build.
const alias = [
  { find: /^@verified-container\/shared$/, replacement: `${shared}index.ts` },
  { find: /^@verified-container\/shared\/(.*)$/, replacement: `${shared}$1/index.ts` },
  { find: /^@verified-container\/host$/, replacement: `${host}index.ts` },
  { find: /^@verified-container\/host\/registry$/, replacement: `${host}registry/index.ts` },
  { find: /^@verified-container\/testkit$/, replacement: `${testkit}index.ts` },
];

const unit = (name: string) => ({
  extends: true as const,
  test: {
    name,
    root: `packages/${name}`,
    include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
  },
});

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    projects: [
      unit('shared'),
      unit('host'),
      unit('builder'),
      unit('runtime'),
      unit('gateway'),
      unit('testkit'),
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['packages/*/test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Real tools (skopeo, umoci, runc, a registry); each file skips what the machine lacks.
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        // Network and real Debian builds: `pnpm test:slow`, not part of `pnpm test`.
        extends: true,
        test: {
          name: 'slow',
          include: ['packages/*/test/slow/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
