import { cabs } from '@abs/cabs';
import { type Checkpoint, train } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { dataParallel } from './data-parallel';
import { createLocalGroup } from './local-group';
import { compile } from './test-support/problem';
import {
  PROGRAMS,
  type ProgramName,
  type ProgramResult,
  parameterDifference,
  runProgram,
} from './test-support/programs';

describe('training data-parallel on in-process ranks follows the single-process run', () => {
  it.each(Object.keys(PROGRAMS) as ProgramName[])('%s on 2 ranks', async (name) => {
    const single = await runProgram(name);
    const ranks = await Promise.all(createLocalGroup(2).map((communicator) => runProgram(name, communicator)));
    const [first, second] = ranks as [ProgramResult, ProgramResult];
    // Both ranks end with bit-identical parameters: they took the same merged steps.
    expect(second.parameters).toEqual(first.parameters);
    expect(first.batchSizes).toEqual(single.batchSizes);
    expect(parameterDifference(first, single)).toBeLessThan(1e-4);
    // The trajectory moves (so it could differ): CABS and Arbiter change the batch size.
    if (name === 'cabs' || name === 'arbiter') expect(new Set(single.batchSizes).size).toBeGreaterThan(2);
  });
});

describe('checkpoints', () => {
  it('a checkpoint written on 2 ranks resumes on 3 ranks and in one process on the same trajectory', async () => {
    const algorithm = () => cabs({ learningRate: 1, bsMin: 4, bsMax: 128, c: 4 });
    const whole = await train(await compile(), algorithm(), { steps: 40, seed: 5 });
    const head = await Promise.all(
      createLocalGroup(2).map(async (communicator) => {
        const model = await dataParallel(await compile(), { communicator });
        return (await train(model, algorithm(), { steps: 20, seed: 5 })).checkpoint();
      }),
    );
    const checkpoint = JSON.parse(JSON.stringify(head[0])) as Checkpoint;
    // Both ranks hold the same checkpoint (apart from their wall-clock times).
    expect({ ...head[1], wallMs: 0 }).toEqual({ ...head[0], wallMs: 0 });
    const onThree = await Promise.all(
      createLocalGroup(3).map(async (communicator) => {
        const model = await dataParallel(await compile(), { communicator });
        return train(model, algorithm(), { steps: 40, seed: 5, resume: checkpoint });
      }),
    );
    const alone = await train(await compile(), algorithm(), { steps: 40, seed: 5, resume: checkpoint });
    const sizes = whole.trace.map((r) => r.batchSize);
    expect(new Set(sizes).size).toBeGreaterThan(2);
    for (const run of [...onThree, alone]) expect(run.trace.map((r) => r.batchSize)).toEqual(sizes);
  });
});
