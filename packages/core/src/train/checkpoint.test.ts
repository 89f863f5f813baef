import { describe, expect, it } from 'vitest';
import { fixedBatch } from '../algorithm/fixed-batch';
import { InvalidCheckpointError } from '../errors/invalid-checkpoint-error';
import type { Dataset } from '../model/dataset';
import type { Model } from '../model/model';
import { momentum } from '../optim/momentum';
import { sgd } from '../optim/sgd';
import type { HostTensor } from '../tensor/typed-array-ops';
import { createMockModel } from '../testing/mock-model';
import type { Checkpoint } from './checkpoint';
import { train } from './train';

/** ℓ_i(w) = ½(w − y_i)² over (w, v) with v ∈ ℝ²: SGD drives w toward mean(y). */
function meanModel(y: readonly number[]) {
  return createMockModel({
    shapes: [[1], [2]],
    initial: [Float32Array.of(0), Float32Array.of(1, -1)],
    size: y.length,
    perExample: (i, [w, v]) => {
      const r = (w?.[0] as number) - (y[i] as number);
      return {
        loss: 0.5 * r * r + 0.5 * ((v?.[0] as number) ** 2 + (v?.[1] as number) ** 2),
        gradient: [[r], v ?? []],
      };
    },
  });
}

/** The same model answering for another dataset object (same size, other values). */
function onDataset(model: Model<HostTensor>, dataset: Dataset): Model<HostTensor> {
  return Object.create(model, { dataset: { value: dataset } });
}

const y = [1, 2, 3, 4];
const algorithm = (learningRate = 0.1) => fixedBatch({ optimizer: sgd({ learningRate }), batchSize: 2 });

async function saved(): Promise<Checkpoint> {
  const run = await train(meanModel(y), algorithm(), { steps: 3, seed: 1 });
  return JSON.parse(JSON.stringify(await run.checkpoint()));
}

/** The error `train` rejects with when resuming `checkpoint` on `model`. */
async function resumeError(checkpoint: unknown, model = meanModel(y), learningRate = 0.1) {
  return train(model, algorithm(learningRate), { steps: 5, resume: checkpoint as Checkpoint }).catch((e: unknown) => e);
}

describe('resume checks what it resumes into', () => {
  it('refuses a dataset of another size, naming it', async () => {
    const error = await resumeError(await saved(), meanModel([1, 2, 3, 4, 5, 6]));
    expect(InvalidCheckpointError.isInstance(error)).toBe(true);
    expect((error as InvalidCheckpointError).field).toBe('resume.dataset.size');
    expect((error as Error).message).toBe(
      "resume.dataset.size: the checkpoint was made on a dataset with another size (4, this model's has 6); resume it on the dataset it was trained on",
    );
  });

  it('refuses other data of the same size and shape (the fingerprint differs)', async () => {
    const model = meanModel(y);
    const other = { ...model.dataset, features: Float32Array.of(0, 0, 0, 1) };
    const error = await resumeError(await saved(), onDataset(model, other));
    expect((error as InvalidCheckpointError).field).toBe('resume.dataset.fingerprint');
  });

  it('refuses another config unless allowConfigChange says it is on purpose', async () => {
    const checkpoint = await saved();
    const error = await resumeError(checkpoint, meanModel(y), 0.5);
    expect((error as InvalidCheckpointError).field).toBe('resume.config.learningRate');
    expect((error as Error).message).toContain(
      "the checkpoint's fixed-batch config has 0.1, this run's has 0.5; pass allowConfigChange: true",
    );
    const run = await train(meanModel(y), algorithm(0.5), { steps: 5, resume: checkpoint, allowConfigChange: true });
    expect(run.trace.at(-1)?.learningRate).toBe(0.5);
  });

  it('still resumes a checkpoint written before checkpoints named their dataset', async () => {
    const { dataset: _, ...older } = await saved();
    const run = await train(meanModel(y), algorithm(), { steps: 5, resume: older });
    expect(run.steps).toBe(5);
  });
});

describe('a corrupted checkpoint fails up front with the field', () => {
  type Edit = (c: Record<string, unknown> & Checkpoint) => unknown;
  const cases: [string, Edit, string][] = [
    ['not an object', () => 'checkpoint', 'resume'],
    ['another format', (c) => ({ ...c, format: 'v0' }), 'resume.format'],
    ['a negative step', (c) => ({ ...c, step: -1 }), 'resume.step'],
    ['a missing config', (c) => ({ ...c, config: undefined }), 'resume.config'],
    ['parameters that are not an array', (c) => ({ ...c, parameters: {} }), 'resume.parameters'],
    [
      'truncated parameter data',
      (c) => ({ ...c, parameters: [c.parameters[0], { ...c.parameters[1], data: 'AAAAAA==' }] }),
      'resume.parameters[1].data',
    ],
    [
      'parameter data that is not base64',
      (c) => ({ ...c, parameters: [{ ...c.parameters[0], data: 'A*A=' }, c.parameters[1]] }),
      'resume.parameters[0].data',
    ],
    [
      'a fractional dimension',
      (c) => ({ ...c, parameters: [{ ...c.parameters[0], shape: [0.5] }, c.parameters[1]] }),
      'resume.parameters[0].shape[0]',
    ],
    [
      'buffers of the wrong length',
      (c) => ({ ...c, buffers: [{ shape: [2], data: 'AAAAAA==' }] }),
      'resume.buffers[0].data',
    ],
    [
      'a dataset without a fingerprint',
      (c) => ({ ...c, dataset: { size: 4, featureShape: [1] } }),
      'resume.dataset.fingerprint',
    ],
    ['a state that is not an object', (c) => ({ ...c, state: [] }), 'resume.state'],
    [
      'a state tensor of the wrong length',
      (c) => ({ ...c, state: { ...(c.state as object), extra: { $tensor: { shape: [3], data: 'AAAA' } } } }),
      'resume.state.extra.$tensor.data',
    ],
    [
      'a typed array of a ragged length',
      (c) => ({ ...c, state: { ...(c.state as object), extra: { $f64: 'AAAA' } } }),
      'resume.state.extra.$f64',
    ],
    [
      'a finite $number',
      (c) => ({ ...c, state: { ...(c.state as object), extra: { $number: '3' } } }),
      'resume.state.extra.$number',
    ],
    ['an empty algorithm state', (c) => ({ ...c, state: {} }), 'resume.state.step'],
    [
      'a sampler position past the dataset',
      (c) => ({
        ...c,
        state: { ...(c.state as object), sampler: { seed: 1, size: 4, epoch: 1, position: 4, examplesSeen: 6 } },
      }),
      'resume.state.sampler.position',
    ],
    [
      'optimiser slots sgd does not have',
      (c) => ({ ...c, state: { ...(c.state as object), optimizer: { step: 3, learningRate: 0.1, slots: { m: [] } } } }),
      'resume.state.optimizer.slots',
    ],
    ['a trace shorter than the steps', (c) => ({ ...c, trace: c.trace.slice(1) }), 'resume.trace'],
    [
      'a report without a step',
      (c) => ({ ...c, trace: [{ ...c.trace[0], step: 'one' }, ...c.trace.slice(1)] }),
      'resume.trace[0].step',
    ],
    ['a test record without a loss', (c) => ({ ...c, tests: [{ step: 1, examplesSeen: 2 }] }), 'resume.tests[0].loss'],
  ];
  it.each(cases)('%s', async (_, edit, field) => {
    const checkpoint = (await saved()) as Record<string, unknown> & Checkpoint;
    const model = meanModel(y);
    const before = await model.readParameters();
    const error = await resumeError(edit(checkpoint), model);
    expect(InvalidCheckpointError.isInstance(error)).toBe(true);
    expect((error as InvalidCheckpointError).field).toBe(field);
    expect((error as Error).message.startsWith(`${field}: `)).toBe(true);
    expect(await model.readParameters()).toEqual(before);
  });
});

describe('fixedBatch checks the state it resumes', () => {
  it('names a momentum buffer whose tensors do not match the parameters', async () => {
    const algorithm = () => fixedBatch({ optimizer: momentum({ learningRate: 0.1 }), batchSize: 2 });
    const run = await train(meanModel(y), algorithm(), { steps: 2 });
    const checkpoint = JSON.parse(JSON.stringify(await run.checkpoint()));
    checkpoint.state.optimizer.slots.momentum.reverse();
    const error = await train(meanModel(y), algorithm(), { steps: 3, resume: checkpoint }).catch((e: unknown) => e);
    expect((error as InvalidCheckpointError).field).toBe('resume.state.optimizer.slots.momentum');
    expect((error as Error).message).toContain('must be one tensor per parameter, shaped [1, 2]');
  });
});
