#!/usr/bin/env node
// Package checks beyond publint, run from a package dir by its `lint` script (after `build`):
// 1. `publishConfig.exports` is `exports` without the development-only `@abs/source` condition,
//    so the published manifest never points at src/ (not in the tarball) and the two cannot drift;
// 2. optional peers declared only in peerDependenciesMeta (vitest for @abs/core/testing) stay
//    imports in dist/: tsup would bundle them unless told otherwise (tooling/tsup.preset.ts);
// 3. attw (are the types wrong) on the tarball `pnpm pack` makes, which is what gets published:
//    types must resolve under node10, node16 (CJS and ESM) and bundler resolution.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const SOURCE_CONDITION = '@abs/source';
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const withoutSource = (entry) =>
  entry !== null && typeof entry === 'object'
    ? Object.fromEntries(
        Object.entries(entry)
          .filter(([key]) => key !== SOURCE_CONDITION)
          .map(([key, value]) => [key, withoutSource(value)]),
      )
    : entry;

if (!isDeepStrictEqual(pkg.publishConfig?.exports, withoutSource(pkg.exports))) {
  console.error(
    `${pkg.name}: publishConfig.exports must equal exports without the "${SOURCE_CONDITION}" condition:\n` +
      JSON.stringify(withoutSource(pkg.exports), null, 2),
  );
  process.exit(1);
}

// attw passes a package without types ("This package does not contain types"): build first.
if (!existsSync(pkg.types)) {
  console.error(`${pkg.name}: ${pkg.types} is missing; run \`pnpm build\` before the package checks`);
  process.exit(1);
}

const distFiles = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => /\.c?js$/.test(f));
for (const peer of Object.keys(pkg.peerDependenciesMeta ?? {})) {
  // A static import, a require, or a lazy `import('peer')` all leave the peer to the consumer.
  const pattern = new RegExp(`(?:from |require\\(|import\\()["']${peer}["']`);
  const imported = distFiles.some((file) => pattern.test(readFileSync(join('dist', file), 'utf8')));
  const used = readdirSync('src', { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .some((file) =>
      // Type-only imports are erased; they do not make the build use the peer.
      new RegExp(`^(?!import type)[^\\n]*(?:from |import\\()['"]${peer}['"]`, 'm').test(
        readFileSync(join('src', file), 'utf8'),
      ),
    );
  if (used && !imported) {
    console.error(`${pkg.name}: dist/ bundles the optional peer '${peer}' instead of importing it`);
    process.exit(1);
  }
}

const out = mkdtempSync(join(tmpdir(), 'abs-pack-'));
try {
  execFileSync('pnpm', ['pack', '--pack-destination', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(out).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error(`${pkg.name}: pnpm pack wrote no tarball`);
  const attw = spawnSync('attw', [join(out, tarball), '--format', 'table-flipped'], {
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  process.exitCode = attw.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
