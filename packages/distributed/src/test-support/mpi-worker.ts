/**
 * The per-rank script of the `mpirun` tests, run as
 *   mpirun -np 2 node --import tsx --conditions=@abs/source src/test-support/mpi-worker.ts <mode> <out-dir>
 * `programs` trains every equivalence program data-parallel and writes rank-<r>.json;
 * `probe` only starts MPI; the other modes fail on purpose (see mpi.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixedBatch, sgd, train } from '@abs/core';
import { dataParallel } from '../data-parallel';
import { runMpi } from '../mpi/run-mpi';
import { compile } from './problem';
import { PROGRAMS, type ProgramName, runProgram } from './programs';

const [mode, out = '.'] = process.argv.slice(2);

await runMpi(async (mpi) => {
  if (mode === 'probe') {
    process.stdout.write(`${mpi.library}\n`);
  } else if (mode === 'programs') {
    const results: Record<string, unknown> = { size: mpi.size };
    for (const name of Object.keys(PROGRAMS) as ProgramName[]) results[name] = await runProgram(name, mpi);
    writeFileSync(join(out, `rank-${mpi.rank}.json`), JSON.stringify(results));
  } else if (mode === 'fail-in-evaluate') {
    const local = await compile();
    let calls = 0;
    const evaluate = local.evaluate.bind(local);
    local.evaluate = async (batch, request) => {
      calls += 1;
      if (mpi.rank === 1 && calls === 3) throw new RangeError('rank 1 ran out of memory on purpose');
      return evaluate(batch, request);
    };
    const model = await dataParallel(local, { communicator: mpi });
    await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 16 }), { steps: 10 });
  } else if (mode === 'fail-outside') {
    // Rank 1 fails before its first collective while rank 0 already waits in one.
    if (mpi.rank === 1) throw new Error('rank 1 failed before joining');
    await dataParallel(await compile(), { communicator: mpi });
  } else if (mode === 'mismatch') {
    await dataParallel(await compile(1 + mpi.rank), { communicator: mpi });
  } else {
    throw new Error(`mpi-worker: unknown mode '${mode}'`);
  }
});
