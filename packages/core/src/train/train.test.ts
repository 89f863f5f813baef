import { describe, expect, it } from 'vitest';
import { fixedBatch } from '../algorithm/fixed-batch';
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { NonFiniteError } from '../errors/non-finite-error';
import { TrainingError } from '../errors/training-error';
import type { Model } from '../model/model';
import { mlp } from '../model/model-spec';
import { adam } from '../optim/adam';
import { momentum } from '../optim/momentum';
import { sgd } from '../optim/sgd';
import type { HostTensor } from '../tensor/typed-array-ops';
import { createMockModel } from '../testing/mock-model';
import { createTrackingOps } from '../testing/tracking-ops';
import { evaluateModel } from './evaluate-model';
import { DIVERGENCE_FACTOR, type TrainEvent, train } from './train';

/** ℓ_i(w) = ½(w − y_i)²: the mean-estimation problem; SGD drives w toward mean(y). */
function meanModel(y: readonly number[]) {
  return createMockModel({
    shapes: [[1]],
    initial: [new Float32Array([0])],
    size: y.length,
    perExample: (i, [w]) => {
      const r = (w?.[0] as number) - (y[i] as number);
      return { loss: 0.5 * r * r, gradient: [[r]] };
    },
  });
}

const algorithm = () => fixedBatch({ optimizer: sgd({ learningRate: 0.2 }), batchSize: 2 });

describe('train', () => {
  it('runs to the step budget and converges on mean estimation', async () => {
    const model = meanModel([1, 2, 3, 4]);
    const run = await train(model, algorithm(), { steps: 200, seed: 1 });
    expect(run.steps).toBe(200);
    expect(run.examplesSeen).toBe(400);
    expect(run.trace.map((r) => r.step)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    // Constant-lr SGD with batch 2 hovers around the mean 2.5.
    expect(model.parameters[0]?.data[0]).toBeGreaterThan(1.8);
    expect(model.parameters[0]?.data[0]).toBeLessThan(3.2);
  });

  it('stops at an examples budget', async () => {
    const run = await train(meanModel([1, 2, 3]), algorithm(), { examples: 7 });
    expect(run.steps).toBe(4); // 2 + 2 + 2 + 2 ≥ 7
    expect(run.examplesSeen).toBe(8);
  });

  it('resumes from a JSON checkpoint exactly where it stopped', async () => {
    const y = [0.5, -1, 2, 7, 3];
    const whole = meanModel(y);
    const full = await train(whole, algorithm(), { steps: 12, seed: 4 });
    const first = meanModel(y);
    const half = await train(first, algorithm(), { steps: 5, seed: 4 });
    const saved = JSON.parse(JSON.stringify(await half.checkpoint()));
    const resumedModel = meanModel(y);
    const rest = await train(resumedModel, algorithm(), { steps: 12, seed: 4, resume: saved });
    expect(rest.trace).toEqual(full.trace);
    expect(Array.from(resumedModel.parameters[0]?.data ?? [])).toEqual(Array.from(whole.parameters[0]?.data ?? []));
  });

  it('on a non-finite loss stops with the step, the cause and the last good state', async () => {
    const model = meanModel([1, 2, Number.NaN, 3]);
    const saved: number[] = [];
    const error = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 1 }), {
      steps: 50,
      onCheckpoint: (c) => {
        saved.push(c.step);
      },
    }).catch((e: unknown) => e);
    expect(TrainingError.isInstance(error)).toBe(true);
    const failure = error as TrainingError<{ step: number; parameters: unknown }>;
    expect(NonFiniteError.isInstance(failure.cause)).toBe(true);
    expect((failure.cause as NonFiniteError).quantity).toBe('loss');
    expect((failure.cause as NonFiniteError).step).toBe(failure.step);
    expect(failure.checkpoint.step).toBe(failure.step - 1);
    expect(saved).toEqual([failure.step - 1]);
    expect(Number.isFinite(model.parameters[0]?.data[0])).toBe(true);
  });

  it('frees the algorithm state when a step fails (the checkpoint keeps host copies)', async () => {
    const model = meanModel([Number.NaN, Number.NaN]);
    const ops = createTrackingOps();
    const tracked: Model<HostTensor> = Object.create(model, { ops: { value: ops } });
    const error = await train(tracked, fixedBatch({ optimizer: momentum({ learningRate: 0.1 }), batchSize: 1 }), {
      steps: 3,
    }).catch((e: unknown) => e);
    expect(TrainingError.isInstance(error)).toBe(true);
    // The momentum buffer made by init is the only tensor these ops made; the failure freed it.
    expect(ops.live()).toBe(0);
    expect((error as TrainingError<{ state: unknown }>).checkpoint.state).toMatchObject({
      optimizer: { slots: { momentum: [{ $tensor: { shape: [1] } }] } },
    });
  });

  it("calls the algorithm's release when a run ends and when it fails", async () => {
    const released: string[] = [];
    const tracked = (name: string) => ({ ...algorithm(), release: () => released.push(name) });
    await train(meanModel([1, 2]), tracked('ended'), { steps: 3 });
    const failing = meanModel([1, Number.NaN]);
    await expect(train(failing, tracked('failed'), { steps: 3 })).rejects.toThrow(/loss/);
    expect(released).toEqual(['ended', 'failed']);
  });

  it('refuses a second concurrent train() on the same model, and accepts it once the first ended', async () => {
    const model = meanModel([1, 2, 3]);
    const first = train(model, algorithm(), { steps: 20 });
    const second = await train(model, algorithm(), { steps: 1 }).catch((e: unknown) => e);
    expect(InvalidArgumentError.isInstance(second)).toBe(true);
    expect((second as Error).message).toBe(
      'train: this mock model is already being trained by another train() call; await that one or compile a second model',
    );
    expect((await first).steps).toBe(20);
    expect((await train(model, algorithm(), { steps: 1 })).steps).toBe(1);
  });

  it('with steps: 0 takes no step and reports no loss (NaN), not a loss of 0', async () => {
    const run = await train(meanModel([1, 2]), algorithm(), { steps: 0 });
    expect(run.steps).toBe(0);
    expect(run.recentLoss).toBeNaN();
    expect(run.diverged).toBe(false);
  });

  it(`reports a run that ends ${DIVERGENCE_FACTOR}× above its first loss as diverged`, async () => {
    const y = [1, 2, 3, 4];
    // Adam moves w by ≈ η per step: with η = 1e6, w swings ±1e6 around the data and ℓ ≈ 5e11.
    const diverging = await train(meanModel(y), fixedBatch({ optimizer: adam({ learningRate: 1e6 }), batchSize: 2 }), {
      steps: 20,
    });
    expect(diverging.recentLoss).toBeGreaterThan(DIVERGENCE_FACTOR * (diverging.trace[0]?.loss as number));
    expect(diverging.diverged).toBe(true);
    const converging = await train(meanModel(y), algorithm(), { steps: 20 });
    expect(converging.diverged).toBe(false);
  });

  it('checks the test set once, before the first step, naming the example', async () => {
    const test = {
      name: 'test',
      size: 2,
      featureShape: [1],
      features: Float32Array.of(0, Number.NaN),
      targets: new Float32Array(2),
      targetSize: 1,
    };
    await expect(train(meanModel([1, 2]), algorithm(), { steps: 1, test })).rejects.toThrow(
      "dataset 'test': features[1] (example 1, value 0) is NaN",
    );
  });

  it('emits start, step, checkpoint and end events in order', async () => {
    const events: TrainEvent['type'][] = [];
    await train(meanModel([1, 2]), algorithm(), {
      steps: 2,
      checkpointEvery: 2,
      onCheckpoint: () => {},
      onEvent: (e) => {
        events.push(e.type);
      },
    });
    expect(events).toEqual(['start', 'step', 'step', 'checkpoint', 'checkpoint', 'end']);
  });

  it('checks budgets and capabilities before the first step', async () => {
    const model = meanModel([1, 2]);
    await expect(train(model, algorithm(), {})).rejects.toThrow('train: steps must be given (or examples)');
    await expect(train(model, algorithm(), { steps: -1 })).rejects.toThrow(
      'train: steps must be an integer ≥ 0, got -1',
    );
    const needsFeatures = { ...algorithm(), requires: ['features' as const] };
    await expect(train(model, needsFeatures, { steps: 1 })).rejects.toThrow(
      "backend 'mock' does not support capability 'features': needed by fixed-batch",
    );
  });
});

describe('evaluateModel', () => {
  it('computes mean cross-entropy and accuracy from raw outputs', async () => {
    // Two examples, logits (0, ln 3) and (0, 0): p(y=1) = 3/4 and 1/2.
    const fake = {
      spec: mlp([1, 2]),
      predict: async () => Float32Array.from([0, Math.log(3), 0, 0]),
    } as unknown as Model<HostTensor>;
    const dataset = {
      name: 't',
      size: 2,
      featureShape: [1],
      features: new Float32Array(2),
      labels: Int32Array.from([1, 0]),
      numClasses: 2,
    };
    const result = await evaluateModel(fake, dataset);
    // loss = (−ln ¾ − ln ½)/2; argmax picks class 1 then class 0 (ties go to the first).
    expect(result.loss).toBeCloseTo((-Math.log(0.75) - Math.log(0.5)) / 2, 6);
    expect(result.accuracy).toBe(1);
  });
});
