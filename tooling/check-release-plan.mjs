#!/usr/bin/env node
// Runs `changeset version` on a scratch copy of the workspace and fails if a package would leave
// 0.x (or take any major) without a changeset that asks for `major` for it by name.
// The working tree and git are never touched: the manifests, changelogs and .changeset/ are copied
// into a temp dir whose node_modules links to this repository's, so it works offline and in CI.
// Usage: node tooling/check-release-plan.mjs [--verbose]
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const verbose = process.argv.includes('--verbose');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Workspace package dirs (relative), from the `packages:` globs of pnpm-workspace.yaml (`dir/*` only). */
function workspaceDirs(base) {
  const yaml = readFileSync(join(base, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [...yaml.matchAll(/^\s+-\s+['"]?([\w./-]+)\/\*['"]?\s*$/gm)].map((m) => m[1]);
  return globs.flatMap((parent) =>
    readdirSync(join(base, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(base, parent, d.name, 'package.json')))
      .map((d) => join(parent, d.name)),
  );
}

/** Package names a pending changeset explicitly marks `major`. */
function explicitMajors(changesetDir) {
  const majors = new Set();
  for (const file of readdirSync(changesetDir)) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const front = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(changesetDir, file), 'utf8'));
    for (const m of front?.[1].matchAll(/^\s*['"]?([^'":]+)['"]?\s*:\s*major\s*$/gm) ?? []) {
      majors.add(m[1]);
    }
  }
  return majors;
}

const major = (version) => Number(version.split('.')[0]);

const scratch = mkdtempSync(join(tmpdir(), 'abs-release-plan-'));
try {
  const dirs = workspaceDirs(root);
  for (const file of ['package.json', 'pnpm-workspace.yaml', '.changeset']) {
    cpSync(join(root, file), join(scratch, file), { recursive: true });
  }
  for (const dir of dirs) {
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(root, dir, file))) cpSync(join(root, dir, file), join(scratch, dir, file));
    }
  }
  // `changeset version` resolves the changelog module from here; nothing is installed.
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');

  const before = new Map(dirs.map((dir) => [dir, readJson(join(root, dir, 'package.json'))]));
  const majors = explicitMajors(join(root, '.changeset'));
  const cli = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
  const run = spawnSync(process.execPath, [cli, 'version'], {
    cwd: scratch,
    encoding: 'utf8',
    // No git repository in the scratch dir: keep git from walking up into someone else's.
    env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(scratch), CI: '1' },
  });
  if (run.status !== 0) {
    console.error(`release plan: \`changeset version\` failed (exit ${run.status})\n${run.stdout}${run.stderr}`);
    process.exit(1);
  }

  const problems = [];
  const lines = [];
  for (const [dir, pkg] of before) {
    if (pkg.private) continue;
    const next = readJson(join(scratch, dir, 'package.json')).version;
    if (next !== pkg.version) lines.push(`${pkg.name} ${pkg.version} -> ${next}`);
    if (major(next) > major(pkg.version) && !majors.has(pkg.name)) {
      problems.push(
        `${pkg.name} ${pkg.version} -> ${next}: a major bump no changeset asked for` +
          (major(pkg.version) === 0 ? ' (it would leave 0.x)' : ''),
      );
    }
  }
  if (verbose || problems.length > 0) console.log(lines.join('\n') || 'no pending version changes');
  if (problems.length > 0) {
    console.error(`release plan: ${problems.length} unintended major bump(s):\n  ${problems.join('\n  ')}`);
    console.error('See CONTRIBUTING.md, "Versions", for the 0.x policy.');
    process.exit(1);
  }
  console.log(`release plan: ${lines.length} package(s) change version, none leaves its major line`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
