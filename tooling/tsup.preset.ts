// Shared tsup preset: ESM first, CJS alongside, declarations for both.
import type { Options } from 'tsup';

export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  };
}
