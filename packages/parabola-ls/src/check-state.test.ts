/**
 * `pal().checkState` and `labpal().checkState`: a checkpoint whose state is corrupted fails at
 * resume with an `InvalidCheckpointError` naming the field (README “API”), before any call and
 * with the model untouched; a sound one still resumes bit-identically.
 */
import { type Algorithm, type Checkpoint, InvalidCheckpointError, train } from '@abs/core';
import { createMockModel, expectExactResume } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { labpal } from './labpal';
import { pal } from './pal';

/** ℓ_i(θ) = ½‖θ − y_i‖² over 12 examples, y_i = (sin i, cos 3i). */
const regression = async () =>
  createMockModel({
    shapes: [[2]],
    initial: [Float32Array.of(1.5, -1)],
    size: 12,
    perExample: (i, [w]) => {
      const r = [(w?.[0] as number) - Math.sin(i), (w?.[1] as number) - Math.cos(3 * i)];
      return { loss: 0.5 * ((r[0] as number) ** 2 + (r[1] as number) ** 2), gradient: [r] };
    },
  });

type State = Record<string, Record<string, unknown>>;
type Case = [string, (state: State) => unknown, string];

/** Trains `cut` steps, edits the checkpoint's state and resumes it on a fresh model. */
async function resumeEdited(algorithm: () => Algorithm, cut: number, edit: Case[1]) {
  const half = await train(await regression(), algorithm(), { steps: cut, seed: 3 });
  const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint())) as Checkpoint & { state: State };
  const model = await regression();
  const before = await model.readParameters();
  const resume = { ...checkpoint, state: edit(checkpoint.state) } as Checkpoint;
  const error = await train(model, algorithm(), { steps: cut + 3, seed: 3, resume }).catch((e: unknown) => e);
  return { error, untouched: (await model.readParameters())[0]?.every((v, i) => v === before[0]?.[i]) };
}

const expectField = async (algorithm: () => Algorithm, cut: number, [, edit, field]: Case) => {
  const { error, untouched } = await resumeEdited(algorithm, cut, edit);
  expect(InvalidCheckpointError.isInstance(error), String(error)).toBe(true);
  expect((error as InvalidCheckpointError).field).toBe(field);
  expect(untouched).toBe(true);
};

describe('pal checks the state it resumes', () => {
  const algorithm = () => pal({ batchSize: 4, directionFactor: 0.5, measuringStep: 0.5 });
  const cases: Case[] = [
    ['an empty state', () => ({}), 'resume.state.step'],
    ['a fractional pass count', (s) => ({ ...s, forwardPasses: 2.5 }), 'resume.state.forwardPasses'],
    [
      'a sampler past the dataset',
      (s) => ({ ...s, sampler: { ...s.sampler, position: 12 } }),
      'resume.state.sampler.position',
    ],
    [
      'a direction with a tensor too many',
      (s) => ({ ...s, direction: [s.direction?.[0], s.direction?.[0]] }),
      'resume.state.direction',
    ],
  ];
  it.each(cases)('%s → InvalidCheckpointError naming the field', (...c) => expectField(algorithm, 3, c));

  it('refuses a kept direction when β = 0', async () => {
    const plain = () => pal({ batchSize: 4, directionFactor: 0, measuringStep: 0.5 });
    const edit = (s: State) => ({ ...s, direction: [{ $tensor: { shape: [2], data: 'AAAAAAAAAAA=' } }] });
    await expectField(plain, 2, ['', edit, 'resume.state.direction']);
  });

  it('a sound checkpoint still resumes bit-identically', async () => {
    await expectExactResume({ compile: regression, algorithm, steps: 7, cut: 3 });
  });
});

describe('labpal checks the state it resumes', () => {
  // Windows of 3 calls, momentum: cut at call 2, the window holds two batches, their losses and ḡ.
  const algorithm = () => labpal({ batchSize: 2, momentum: 0.5, approxBatches: 3, reuseSteps: 4, noiseFactor: 1 });
  const window = (s: State) => s.window as Record<string, unknown[]>;
  const cases: Case[] = [
    ['an empty state', () => ({}), 'resume.state.control'],
    ['an unknown phase', (s) => ({ ...s, control: { ...s.control, phase: 'rest' } }), 'resume.state.control.phase'],
    [
      'a zero multiplier',
      (s) => ({ ...s, control: { ...s.control, accumulation: 0 } }),
      'resume.state.control.accumulation',
    ],
    [
      'a schedule entry that is not a pair',
      (s) => ({ ...s, control: { ...s.control, schedule: [[3]] } }),
      'resume.state.control.schedule[0]',
    ],
    ['a negative cap', (s) => ({ ...s, maxStepSize: -1 }), 'resume.state.maxStepSize'],
    ['a step size that is a string', (s) => ({ ...s, stepSize: '0.5' }), 'resume.state.stepSize'],
    [
      'a history that is not an array',
      (s) => ({ ...s, history: { steps: 1, learningRates: [] } }),
      'resume.state.history.steps',
    ],
    ['no momentum buffer (momentum 0.5)', (s) => ({ ...s, momentum: null }), 'resume.state.momentum'],
    [
      'an accumulated loss that is Infinity',
      (s) => ({ ...s, training: { gradient: null, loss: { $number: 'Infinity' } } }),
      'resume.state.training.loss',
    ],
    [
      'a stored batch past the dataset',
      (s) => ({ ...s, window: { ...s.window, batches: [{ $i32: 'DAAAAAAAAAA=' }, window(s).batches?.[1]] } }),
      'resume.state.window.batches[0]',
    ],
    [
      'a loss missing for a stored batch',
      (s) => ({ ...s, window: { ...s.window, losses: window(s).losses?.slice(1) } }),
      'resume.state.window.losses',
    ],
    [
      'ḡ of another shape',
      (s) => ({ ...s, window: { ...s.window, gradient: [{ $tensor: { shape: [1], data: 'AAAAAA==' } }] } }),
      'resume.state.window.gradient',
    ],
    [
      'a negative ‖d‖',
      (s) => ({ ...s, window: { ...s.window, directionNorm: -1 } }),
      'resume.state.window.directionNorm',
    ],
  ];
  it.each(cases)('%s → InvalidCheckpointError naming the field', (...c) => expectField(algorithm, 2, c));

  it('a sound checkpoint still resumes bit-identically, mid-window and after it', async () => {
    for (const cut of [2, 5]) await expectExactResume({ compile: regression, algorithm, steps: 9, cut });
  });
});
