// Shared vitest preset: resolve workspace packages to their TypeScript sources
// (the "@abs/source" export condition), so tests never need a build.
import { defineConfig } from 'vitest/config';

const conditions = ['@abs/source', 'module', 'node', 'import', 'default'];

export function packageTests(options: { testTimeout?: number } = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      include: ['src/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 30_000,
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts'] },
    },
  });
}
