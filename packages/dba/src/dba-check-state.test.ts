/**
 * `dba().checkState`: a checkpoint whose state is corrupted fails at resume with an
 * `InvalidCheckpointError` naming the field (README “API”), before any step; a sound one
 * still resumes bit-identically.
 */
import { adam, type Checkpoint, InvalidCheckpointError, train } from '@abs/core';
import { createMockModel, expectExactResume } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { dba } from './dba';

/** ℓ_i(w, b) = ½(w·x_i + b − y_i)² on 12 examples with x_i = (i, 1 − i/6), y_i = i mod 5. */
const regressionModel = () =>
  createMockModel({
    shapes: [[2], [1]],
    initial: [new Float32Array(2), new Float32Array(1)],
    size: 12,
    perExample: (i, [w, b]) => {
      const x = [i / 6, 1 - i / 6];
      const r = x.reduce((s, v, e) => s + v * (w?.[e] as number), b?.[0] as number) - (i % 5);
      return { loss: 0.5 * r * r, gradient: [x.map((v) => r * v), [r]] };
    },
  });

const algorithm = () => dba({ batchSize: 6, optimizer: adam({ learningRate: 0.05 }) });

type State = Record<string, unknown> & { optimizer: { slots: { m: unknown[]; v: unknown[] } } };
const cases: [string, (state: State) => unknown, string][] = [
  ['an empty state', () => ({}), 'resume.state.step'],
  ['a negative step', (s) => ({ ...s, step: -1 }), 'resume.state.step'],
  [
    'a sampler of another dataset',
    (s) => ({ ...s, sampler: { ...(s.sampler as object), size: 13 } }),
    'resume.state.sampler.size',
  ],
  ['no optimiser', ({ optimizer: _, ...s }) => s, 'resume.state.optimizer'],
  [
    'an Adam state without v',
    (s) => ({ ...s, optimizer: { ...s.optimizer, slots: { m: s.optimizer.slots.m } } }),
    'resume.state.optimizer.slots',
  ],
  [
    'Adam first moments in the wrong order',
    (s) => ({
      ...s,
      optimizer: { ...s.optimizer, slots: { ...s.optimizer.slots, m: [...s.optimizer.slots.m].reverse() } },
    }),
    'resume.state.optimizer.slots.m',
  ],
];

describe('dba checks the state it resumes', () => {
  it.each(cases)('%s → InvalidCheckpointError naming the field, the model untouched', async (_, edit, field) => {
    const half = await train(regressionModel(), algorithm(), { steps: 3, seed: 2 });
    const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint())) as Checkpoint & { state: State };
    const model = regressionModel();
    const before = await model.readParameters();
    const resume = { ...checkpoint, state: edit(checkpoint.state) } as Checkpoint;
    const error = await train(model, algorithm(), { steps: 6, seed: 2, resume }).catch((e: unknown) => e);
    expect(InvalidCheckpointError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidCheckpointError).field).toBe(field);
    expect(await model.readParameters()).toEqual(before);
  });

  it('a sound checkpoint still resumes bit-identically', async () => {
    await expectExactResume({ compile: async () => regressionModel(), algorithm, steps: 8, cut: 3, seed: 2 });
  });
});
