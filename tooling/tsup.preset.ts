// Shared tsup preset: ESM first, CJS alongside, declarations for both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Options } from 'tsup';

/**
 * Optional peers declared only in `peerDependenciesMeta` (vitest for `@abs/core/testing`):
 * tsup keeps `dependencies` and `peerDependencies` external on its own, but would bundle these.
 */
function metaOnlyPeers(): string[] {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as {
    peerDependenciesMeta?: Record<string, unknown>;
  };
  return Object.keys(pkg.peerDependenciesMeta ?? {});
}

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
    external: [...metaOnlyPeers(), ...(overrides.external ?? [])],
  };
}
