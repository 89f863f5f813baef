/**
 * Real `mpirun -np 2` runs of node scripts over the system's MPICH. Skipped, with the reason
 * printed, where `mpirun` or an MPICH library is missing (CI installs them in .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  PROGRAMS,
  type ProgramName,
  type ProgramResult,
  parameterDifference,
  runProgram,
} from './test-support/programs';

const out = mkdtempSync(join(tmpdir(), 'abs-distributed-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function mpirun(mode: string, ranks = 2) {
  const worker = join(import.meta.dirname, 'test-support', 'mpi-worker.ts');
  return spawnSync(
    'mpirun',
    ['-np', String(ranks), process.execPath, '--import', 'tsx', '--conditions=@abs/source', worker, mode, out],
    { encoding: 'utf8', cwd: join(import.meta.dirname, '..'), timeout: 120_000 },
  );
}

/** Why MPI cannot run here, from a one-rank run (MPI is never loaded into the test process). */
function unavailable(): string | undefined {
  const probe = mpirun('probe', 1);
  if (probe.error) return `mpirun could not be started (${probe.error.message})`;
  if (probe.status === 0) return undefined;
  const lines = probe.stderr.trim().split('\n');
  return lines.find((line) => /^\w*Error: /.test(line)) ?? lines.at(-1) ?? `mpirun exited with ${probe.status}`;
}

const reason = unavailable();
if (reason) console.log(`skipping the mpirun tests: ${reason}`);

// Each test starts node twice under mpirun (TypeScript through tsx): allow a loaded machine.
describe.skipIf(reason !== undefined)('mpirun -np 2', { timeout: 120_000 }, () => {
  it('trains CABS, fixedBatch, LABPAL and Arbiter as one process does', async () => {
    const run = mpirun('programs');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const ranks = [0, 1].map((r) => JSON.parse(readFileSync(join(out, `rank-${r}.json`), 'utf8')));
    expect(ranks.map((r) => r.size)).toEqual([2, 2]);
    for (const name of Object.keys(PROGRAMS) as ProgramName[]) {
      const single = await runProgram(name);
      const [first, second] = ranks.map((r) => r[name] as ProgramResult) as [ProgramResult, ProgramResult];
      expect(second.parameters, name).toEqual(first.parameters);
      expect(first.batchSizes, name).toEqual(single.batchSizes);
      expect(parameterDifference(first, single), name).toBeLessThan(1e-4);
    }
  });

  it('a rank whose evaluation throws ends the job with the error printed on every rank', () => {
    const run = mpirun('fail-in-evaluate');
    expect(run.status).not.toBe(0);
    for (const rank of [0, 1]) {
      expect(run.stderr).toContain(`[rank ${rank} of 2] TrainingError`);
    }
    expect(run.stderr).toContain('rank 1: RangeError: rank 1 ran out of memory on purpose');
  });

  it('a rank that throws outside a collective aborts the job instead of leaving rank 0 waiting', () => {
    const run = mpirun('fail-outside');
    // mpirun returned by itself (a hang would end in the spawn's timeout, with a signal) and
    // reports the failure. (What the aborting rank printed may be cut off by the abort.)
    expect(run.signal).toBeNull();
    expect(run.status).not.toBe(0);
  });

  it('ranks that start from different parameters are refused on both', () => {
    const run = mpirun('mismatch');
    expect(run.status).not.toBe(0);
    for (const rank of [0, 1]) {
      expect(run.stderr).toContain(
        `[rank ${rank} of 2] RankMismatchError: distributed: ranks disagree on the parameters`,
      );
    }
  });
});
