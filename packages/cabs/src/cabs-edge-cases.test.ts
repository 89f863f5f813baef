import {
  BatchTooSmallError,
  type Capability,
  EmptyBatchError,
  type HostTensor,
  hostTensor,
  type Model,
  NonFiniteError,
  TrainingError,
  train,
  UnsupportedCapabilityError,
} from '@abs/core';
import { createMockModel } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { type CabsReport, cabs } from './cabs';
import { InvalidLossError } from './invalid-loss-error';
import { meanEstimationModel, withEvaluate } from './test-support/models';

/** Two parameter tensors p0 (2 values) and p1 (1 value); `perExample` decides the numbers. */
function twoTensorModel(
  size: number,
  perExample: (i: number) => { loss: number; gradient: number[][] },
): Model<HostTensor> {
  return createMockModel({
    shapes: [[2], [1]],
    initial: [Float32Array.from([0.5, -1]), Float32Array.from([2])],
    size,
    perExample: (i) => perExample(i),
  });
}

const healthy = (i: number) => ({ loss: 1 + i, gradient: [[i, -i], [1]] });

/** A model answering every batch with these statistics (tensors p0: 2 values, p1: 1 value). */
function fixedAnswer(answer: { batchSize?: number; loss: number; gradient: number[][]; secondMoment: number[][] }) {
  return withEvaluate(twoTensorModel(32, healthy), async (batch) => ({
    batchSize: answer.batchSize ?? batch.length,
    loss: answer.loss,
    gradient: answer.gradient.map((v) => hostTensor(Float32Array.from(v), [v.length])),
    secondMoment: answer.secondMoment.map((v) => hostTensor(Float32Array.from(v), [v.length])),
  }));
}

/**
 * Runs two good steps, then a step on `failing` (same parameters), and returns the error
 * after checking that neither the state nor the parameters changed.
 */
async function failingStep(failing: Model<HostTensor>): Promise<unknown> {
  const algorithm = cabs({ learningRate: 0.1, bsMin: 2, bsMax: 16, initialBatchSize: 4 });
  const good = twoTensorModel(32, healthy);
  let state = await algorithm.init(good, { seed: 2 });
  for (let t = 0; t < 2; t++) state = (await algorithm.step(good, state)).state;
  failing.writeParameters(await good.readParameters());
  const before = { state: JSON.stringify(state), parameters: await failing.readParameters() };
  const error = await algorithm.step(failing, state).catch((e: unknown) => e);
  expect(JSON.stringify(state)).toBe(before.state);
  expect(await failing.readParameters()).toEqual(before.parameters);
  return error;
}

function expectNonFinite(error: unknown, quantity: string, value: number) {
  expect(NonFiniteError.isInstance(error), String(error)).toBe(true);
  expect((error as NonFiniteError).quantity).toBe(quantity);
  expect((error as NonFiniteError).step).toBe(3);
  expect((error as NonFiniteError).value).toBe(value);
}

describe('cabs errors (README “Errors”): typed, state and parameters untouched', () => {
  it('a NaN loss → NonFiniteError naming loss and the step', async () => {
    const error = await failingStep(twoTensorModel(32, (i) => ({ ...healthy(i), loss: Number.NaN })));
    expectNonFinite(error, 'loss', Number.NaN);
    expect((error as Error).message).toBe('loss is NaN at step 3');
  });

  it('a NaN gradient element → NonFiniteError naming gradient[p1]', async () => {
    const error = await failingStep(twoTensorModel(32, (i) => ({ loss: 1, gradient: [[i, 1], [Number.NaN]] })));
    expectNonFinite(error, 'gradient[p1]', Number.NaN);
  });

  it('an infinite second moment → NonFiniteError naming secondMoment[p0]', async () => {
    const error = await failingStep(
      fixedAnswer({ loss: 1, gradient: [[1, 1], [0]], secondMoment: [[Number.POSITIVE_INFINITY, 1], [1]] }),
    );
    expectNonFinite(error, 'secondMoment[p0]', Number.POSITIVE_INFINITY);
  });

  it('an infinite per-example norm → NonFiniteError naming secondMoment[p1] (its Σ_j M_j)', async () => {
    const base = twoTensorModel(32, healthy);
    const model = Object.create(base) as Model<HostTensor>;
    Object.defineProperty(model, 'evaluate', {
      value: async (batch: readonly number[]) => ({
        batchSize: batch.length,
        loss: 1,
        gradient: [hostTensor(Float32Array.from([1, 1]), [2]), hostTensor(Float32Array.from([0]), [1])],
        perExampleGradientNormSquared: [
          new Float64Array(batch.length).fill(2),
          Float64Array.from(batch, (_, i) => (i === 1 ? Number.POSITIVE_INFINITY : 1)),
        ],
      }),
    });
    const error = await failingStep(model);
    expectNonFinite(error, 'secondMoment[p1]', Number.POSITIVE_INFINITY);
  });

  it('finite g and M whose ξ is not finite (g² overflows float32) → NonFiniteError naming xi', async () => {
    const error = await failingStep(fixedAnswer({ loss: 1, gradient: [[1e20, 0], [0]], secondMoment: [[1, 0], [0]] }));
    expectNonFinite(error, 'xi', Number.NEGATIVE_INFINITY);
  });

  it('a negative loss → InvalidLossError', async () => {
    const error = await failingStep(twoTensorModel(32, (i) => ({ ...healthy(i), loss: -1 })));
    expect(InvalidLossError.isInstance(error)).toBe(true);
    expect(NonFiniteError.isInstance(error)).toBe(false);
    expect((error as InvalidLossError).code).toBe('abs.invalid-loss');
    expect((error as Error).message).toBe('CABS requires a non-negative loss, got -1 at step 3');
  });

  it('an empty batch → EmptyBatchError', async () => {
    const error = await failingStep(
      fixedAnswer({ batchSize: 0, loss: 0, gradient: [[0, 0], [0]], secondMoment: [[0, 0], [0]] }),
    );
    expect(EmptyBatchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('cabs: the batch is empty (0 examples)');
  });

  it('a backend returning 1 example → BatchTooSmallError', async () => {
    const error = await failingStep(
      fixedAnswer({ batchSize: 1, loss: 1, gradient: [[1, 1], [1]], secondMoment: [[1, 1], [1]] }),
    );
    expect(BatchTooSmallError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      'cabs: CABS needs ≥ 2 examples to estimate the gradient variance (got 1, need ≥ 2)',
    );
  });

  it('a 1-example dataset → BatchTooSmallError before any pass', async () => {
    let passes = 0;
    const base = twoTensorModel(1, healthy);
    const model = withEvaluate(base, (batch, request) => {
      passes += 1;
      return base.evaluate(batch, request);
    });
    const algorithm = cabs({ learningRate: 0.1, bsMin: 2 });
    const state = await algorithm.init(model, { seed: 0 });
    const error = await algorithm.step(model, state).catch((e: unknown) => e);
    expect(BatchTooSmallError.isInstance(error)).toBe(true);
    expect(passes).toBe(0);
  });

  it('a smaller batch than requested but ≥ 2 is used with its actual m', async () => {
    const model = withEvaluate(twoTensorModel(32, healthy), async () => ({
      batchSize: 2,
      loss: 1,
      gradient: [hostTensor(Float32Array.from([1, 1]), [2]), hostTensor(Float32Array.from([0]), [1])],
      secondMoment: [hostTensor(Float32Array.from([2, 1]), [2]), hostTensor(Float32Array.from([0]), [1])],
    }));
    const algorithm = cabs({ learningRate: 0.1, bsMin: 2, initialBatchSize: 8 });
    const { report } = await algorithm.step(model, await algorithm.init(model, { seed: 0 }));
    expect(report.batchSize).toBe(2);
    expect(report.xi).toBe(1);
  });
});

describe('zero loss (README “One step” step 6, README “Errors”, “State and report”)', () => {
  // With emaDecay 0 the averages are this step's values, so L̄ + eps = L = 0.
  const step = async (secondMoment: number[][]) => {
    const model = fixedAnswer({ loss: 0, gradient: [[1, 1], [0]], secondMoment });
    const algorithm = cabs({ learningRate: 0.1, bsMin: 2, bsMax: 16, emaDecay: 0 });
    return (await algorithm.step(model, await algorithm.init(model, { seed: 0 }))).report;
  };

  it('ξ̄ > 0 over L̄ + eps = 0 gives raw = +∞ → bsMaxEff; cabsInstant is null', async () => {
    // ξ = (2 − 1) + (1 − 1) + (1 − 0) = 2
    const report = await step([[2, 1], [1]]);
    expect(report.xi).toBe(2);
    expect(report.rawBatchSize).toBe(Number.POSITIVE_INFINITY);
    expect(report.nextBatchSize).toBe(16);
    expect(report.cabsInstant).toBeNull();
  });

  it('ξ̄ = 0 over 0 gives raw = 0 → bsMin', async () => {
    const report = await step([[1, 1], [0]]);
    expect(report.xi).toBe(0);
    expect(report.rawBatchSize).toBe(0);
    expect(report.nextBatchSize).toBe(2);
  });

  it('a slightly negative ξ (float32 cancellation) is not an error: raw < 0 → bsMin', async () => {
    const model = fixedAnswer({ loss: 1, gradient: [[1, 1], [0]], secondMoment: [[0.5, 1], [0]] });
    const algorithm = cabs({ learningRate: 0.1, bsMin: 2 });
    const { report } = await algorithm.step(model, await algorithm.init(model, { seed: 0 }));
    expect(report.xi).toBe(-0.5);
    expect(report.rawBatchSize).toBeLessThan(0);
    expect(report.nextBatchSize).toBe(2);
  });
});

describe('capabilities and fidelity', () => {
  it('init rejects a model with neither per-example norms nor secondMoment', async () => {
    const base = twoTensorModel(8, healthy);
    const model = Object.create(base) as Model<HostTensor>;
    Object.defineProperty(model, 'capabilities', { value: new Set<Capability>(['loss', 'gradient']) });
    const error = await cabs({ learningRate: 0.1 })
      .init(model, { seed: 0 })
      .catch((e: unknown) => e);
    expect(UnsupportedCapabilityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "backend 'mock' does not support capability 'secondMoment': needed by cabs (or 'perExampleGradientNormSquared')",
    );
  });

  it("'reference' equals 'exact' on dense layers, step for step", async () => {
    const run = async (fidelity: 'exact' | 'reference') => {
      const model = twoTensorModel(32, healthy);
      const algorithm = cabs({ learningRate: 0.01, bsMin: 2, bsMax: 16, fidelity });
      let state = await algorithm.init(model, { seed: 5 });
      const reports: CabsReport[] = [];
      for (let t = 0; t < 6; t++) {
        const result = await algorithm.step(model, state);
        state = result.state;
        reports.push(result.report);
      }
      return { reports, parameters: await model.readParameters() };
    };
    expect(await run('reference')).toEqual(await run('exact'));
  });
});

describe('cabs applies an update only when the new parameters are finite', () => {
  it('an update that overflows float32 → NonFiniteError naming the parameter; the model keeps w_1', async () => {
    // y = 1..4, w_0 = 0, α = 1e36: w_1 = 2.5e36 is a float32; w_2 = w_1 − α·(w_1 − ȳ) ≈ −2.5e72 is not,
    // while the loss and the per-example norms at w_1 (≈ 3e72, float64) are finite.
    const model = meanEstimationModel([[1], [2], [3], [4]], [0]);
    const failure = await train(model, cabs({ learningRate: 1e36, bsMin: 4, bsMax: 4 }), { steps: 5 }).catch(
      (e: unknown) => e,
    );
    expect(TrainingError.isInstance(failure)).toBe(true);
    const cause = (failure as TrainingError).cause as NonFiniteError;
    expect([NonFiniteError.isInstance(cause), cause.quantity, cause.step]).toEqual([true, 'parameters[p0]', 2]);
    expect(model.parameters[0]?.data[0]).toBeCloseTo(2.5e36, -31);
  });
});
