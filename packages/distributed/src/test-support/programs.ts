/**
 * The training runs the equivalence tests compare: each algorithm trained through `train` on
 * one model, either alone (no communicator) or data-parallel. The MPI worker script runs the
 * same functions, so the in-process and `mpirun` tests check the same thing.
 */
import { arbiter } from '@abs/arbiter';
import { cabs } from '@abs/cabs';
import { type Algorithm, fixedBatch, type Model, maxRelativeDifference, sgd, train } from '@abs/core';
import { labpal } from '@abs/parabola-ls';
import type { Communicator } from '../communicator';
import { dataParallel } from '../data-parallel';
import { compile } from './problem';

export const PROGRAMS = {
  cabs: { steps: 60, algorithm: () => cabs({ learningRate: 1, bsMin: 4, bsMax: 128, c: 4 }) },
  fixedBatch: { steps: 25, algorithm: () => fixedBatch({ optimizer: sgd({ learningRate: 0.5 }), batchSize: 33 }) },
  labpal: { steps: 20, algorithm: () => labpal({ batchSize: 32 }) },
  arbiter: {
    steps: 60,
    algorithm: () => arbiter({ sMin: 2, sMax: 32, initialBatchSize: 16, phiLr: 1e-3, alphaLr: 1e-2, warmup: false }),
  },
} satisfies Record<string, { steps: number; algorithm: () => Algorithm }>;

export type ProgramName = keyof typeof PROGRAMS;

export interface ProgramResult {
  readonly batchSizes: number[];
  readonly losses: number[];
  readonly parameters: number[][];
}

/** Trains program `name`; with a communicator, data-parallel over its ranks. */
export async function runProgram(name: ProgramName, communicator?: Communicator): Promise<ProgramResult> {
  const { steps, algorithm } = PROGRAMS[name];
  const local = await compile();
  const model: Model<unknown> = communicator
    ? ((await dataParallel(local, { communicator, agree: { name, steps } })) as Model<unknown>)
    : (local as Model<unknown>);
  const run = await train(model, algorithm() as Algorithm, { steps, seed: 3 });
  return {
    batchSizes: run.trace.map((r) => r.batchSize),
    losses: run.trace.map((r) => r.loss),
    parameters: (await model.readParameters()).map((p) => Array.from(p)),
  };
}

/** Largest relative difference over every parameter tensor of two runs. */
export function parameterDifference(a: ProgramResult, b: ProgramResult): number {
  return Math.max(
    ...a.parameters.map((p, i) =>
      maxRelativeDifference(Float64Array.from(p), Float64Array.from(b.parameters[i] ?? [])),
    ),
  );
}
