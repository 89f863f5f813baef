#!/usr/bin/env node
// Scaffolds packages/<name> with the shared layout (package.json, tsconfigs, tsup, vitest).
// Usage: node tooling/new-package.mjs <name> "<description>" [--peer-core]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [name, description, ...flags] = process.argv.slice(2);
if (!name || !description) {
  console.error('usage: new-package.mjs <name> "<description>" [--peer-core]');
  process.exit(2);
}
const dir = join('packages', name);
mkdirSync(join(dir, 'src'), { recursive: true });
const write = (file, text) => {
  const path = join(dir, file);
  if (!existsSync(path)) writeFileSync(path, text);
};
const peerCore = flags.includes('--peer-core');
// The published exports: `exports` below adds the development-only `@abs/source` condition.
const publishedExports = {
  '.': {
    import: { types: './dist/index.d.ts', default: './dist/index.js' },
    require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
  },
  './package.json': './package.json',
};
const pkg = {
  name: `@abs/${name}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  author: 'The abs authors',
  homepage: `https://github.com/abs-ml/abs/tree/main/packages/${name}#readme`,
  bugs: { url: 'https://github.com/abs-ml/abs/issues' },
  type: 'module',
  sideEffects: false,
  engines: { node: '>=20.11' },
  exports: {
    '.': { '@abs/source': './src/index.ts', ...publishedExports['.'] },
    './package.json': './package.json',
  },
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.cts',
  files: ['dist'],
  publishConfig: { exports: publishedExports },
  scripts: {
    build: 'tsup',
    typecheck: 'tsc -p tsconfig.json',
    test: 'vitest run',
    lint: 'publint --strict && node ../../tooling/check-package.mjs',
    clean: 'rm -rf dist .turbo',
  },
  ...(peerCore ? { peerDependencies: { '@abs/core': 'workspace:^' } } : {}),
  devDependencies: peerCore ? { '@abs/core': 'workspace:^' } : {},
  repository: { type: 'git', url: 'git+https://github.com/abs-ml/abs.git', directory: dir },
  keywords: ['machine-learning', 'optimization', 'batch-size', 'typescript'],
};
write('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
write(
  'tsconfig.json',
  `${JSON.stringify({ extends: '../../tooling/tsconfig.base.json', include: ['src', '*.config.ts'] }, null, 2)}\n`,
);
write(
  'tsconfig.build.json',
  `${JSON.stringify({ extends: '../../tooling/tsconfig.build.json', include: ['src'], exclude: ['src/**/*.test.ts', 'src/**/*.test-d.ts'] }, null, 2)}\n`,
);
write(
  'tsup.config.ts',
  `import { defineConfig } from 'tsup';\nimport { packageBuild } from '../../tooling/tsup.preset';\n\nexport default defineConfig(packageBuild());\n`,
);
write(
  'vitest.config.ts',
  `import { packageTests } from '../../tooling/vitest.preset';\n\nexport default packageTests();\n`,
);
write('CHANGELOG.md', `# @abs/${name}\n`);
