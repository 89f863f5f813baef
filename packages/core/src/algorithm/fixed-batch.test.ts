import { describe, expect, it } from 'vitest';
import { NonFiniteError } from '../errors/non-finite-error';
import { TrainingError } from '../errors/training-error';
import type { BatchIndices, Model, SgdStep, SgdStepResult } from '../model/model';
import { adam } from '../optim/adam';
import { momentum } from '../optim/momentum';
import { sgd } from '../optim/sgd';
import type { HostTensor } from '../tensor/typed-array-ops';
import { createMockModel } from '../testing/mock-model';
import { createTrackingOps } from '../testing/tracking-ops';
import type { Checkpoint } from '../train/checkpoint';
import { train } from '../train/train';
import { fixedBatch } from './fixed-batch';

/** ℓ_i(w) = ½(w − y_i)² over two parameters (w, 2w): a model with more than one tensor. */
function model(y: readonly number[]) {
  return createMockModel({
    shapes: [[1], [2]],
    initial: [Float32Array.of(0.5), Float32Array.of(-1, 2)],
    size: y.length,
    perExample: (i, [a, b]) => {
      const r = (a?.[0] as number) - (y[i] as number);
      const s = (b?.[0] as number) + (b?.[1] as number) - 2 * (y[i] as number);
      return { loss: 0.5 * r * r + 0.5 * s * s, gradient: [[r], [s, s]] };
    },
  });
}

/**
 * The model with an `sgdStep` fast path written from the definition (evaluate, then
 * θ ← (1 − ηλ)θ − ηg on the host), recording its calls; `refuse` makes it report a
 * non-finite pass without touching the parameters.
 */
function withSgdStep(base: Model<HostTensor>, refuse = () => false) {
  const calls: SgdStep[] = [];
  const fast: Model<HostTensor> = Object.create(base);
  fast.sgdStep = async (batch: BatchIndices, step: SgdStep): Promise<SgdStepResult<HostTensor>> => {
    calls.push(step);
    const r = await base.evaluate(batch, { gradient: true });
    const gradient = r.gradient as HostTensor[];
    if (refuse()) return { loss: Number.NaN, gradientNormSquared: Number.NaN, applied: false };
    const keep = 1 - step.learningRate * (step.weightDecay ?? 0);
    base.setParameters(
      base.parameters.map((p, i) => base.ops.axpby(keep, p, -step.learningRate, gradient[i] as HostTensor)),
    );
    return { loss: r.loss, gradientNormSquared: 0, applied: true };
  };
  return { fast, calls };
}

const y = [1, 2, 3, 4, -2];

describe('fixedBatch with a model that takes SGD steps itself', () => {
  it('hands sgd steps to model.sgdStep and trains, reports and checkpoints exactly as the unfused path', async () => {
    const algorithm = () => fixedBatch({ optimizer: sgd({ learningRate: 0.1, weightDecay: 0.01 }), batchSize: 2 });
    const plain = model(y);
    const reference = await train(plain, algorithm(), { steps: 9, seed: 3 });
    const { fast, calls } = withSgdStep(model(y));
    const run = await train(fast, algorithm(), { steps: 9, seed: 3 });
    expect(calls).toHaveLength(9);
    expect(calls[0]).toEqual({ learningRate: 0.1, weightDecay: 0.01 });
    // (1 − ηλ)θ − ηg rounds once where sgd's θ − η(g + λθ) rounds twice: equal to float32 precision.
    const withoutLoss = (trace: typeof run.trace) => trace.map(({ loss: _, ...rest }) => rest);
    expect(withoutLoss(run.trace)).toEqual(withoutLoss(reference.trace));
    run.trace.forEach((r, i) => {
      expect(r.loss).toBeCloseTo(reference.trace[i]?.loss as number, 5);
    });
    fast.parameters.forEach((p, i) => {
      p.data.forEach((v, j) => {
        expect(v).toBeCloseTo(plain.parameters[i]?.data[j] as number, 5);
      });
    });
    const [a, b] = [await run.checkpoint(), await reference.checkpoint()];
    expect(a.state).toEqual(b.state);
    expect([a.step, a.examplesSeen]).toEqual([b.step, b.examplesSeen]);
  });

  it('leaves optimisers with state (adam) on the unfused path', async () => {
    const { fast, calls } = withSgdStep(model(y));
    await train(fast, fixedBatch({ optimizer: adam(), batchSize: 2 }), { steps: 3 });
    expect(calls).toHaveLength(0);
  });

  it('when the fast path refuses a step, the unfused pass names what is not finite and the parameters stay', async () => {
    const { fast, calls } = withSgdStep(model([1, 2, Number.POSITIVE_INFINITY, 3]), () => true);
    const failure = await train(fast, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 4 }), {
      steps: 2,
    }).catch((e: unknown) => e);
    expect(calls).toHaveLength(1);
    expect(TrainingError.isInstance(failure)).toBe(true);
    const cause = (failure as TrainingError).cause as NonFiniteError;
    expect(NonFiniteError.isInstance(cause)).toBe(true);
    expect([cause.quantity, cause.step]).toEqual(['loss', 1]);
    expect(fast.parameters.map((p) => Array.from(p.data))).toEqual([[0.5], [-1, 2]]);
  });

  it('a refused step whose unfused pass is finite (e.g. an overflowing norm) is taken on the unfused path', async () => {
    const algorithm = () => fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 2 });
    const plain = model(y);
    const reference = await train(plain, algorithm(), { steps: 4, seed: 2 });
    const { fast, calls } = withSgdStep(model(y), () => true);
    const run = await train(fast, algorithm(), { steps: 4, seed: 2 });
    expect(calls).toHaveLength(4);
    expect(run.trace).toEqual(reference.trace);
    expect(fast.parameters.map((p) => Array.from(p.data))).toEqual(plain.parameters.map((p) => Array.from(p.data)));
  });
});

describe('fixedBatch applies an update only when the new parameters are finite', () => {
  /** ℓ_i(w) = ½(w − y_i)²: with η = 1e6, w ← w − η(w − ȳ) grows ×1e6 a step, a float32 overflow at step 7. */
  const diverging = () =>
    createMockModel({
      shapes: [[1]],
      initial: [Float32Array.of(0)],
      size: 2,
      perExample: (i, [w]) => {
        const r = (w?.[0] as number) - (i + 1);
        return { loss: 0.5 * r * r, gradient: [[r]] };
      },
    });

  it('stops at the overflowing step, naming the parameter, with a finite model and a resumable checkpoint', async () => {
    const model = diverging();
    const failure = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 1e6 }), batchSize: 2 }), {
      steps: 20,
    }).catch((e: unknown) => e);
    expect(TrainingError.isInstance(failure)).toBe(true);
    const error = failure as TrainingError<Checkpoint>;
    const cause = error.cause as NonFiniteError;
    expect(NonFiniteError.isInstance(cause)).toBe(true);
    // |w_t| ≈ 1.5·1e6^t: the loss and gradient at w_6 ≈ 1.5e36 are finite, w_7 ≈ 1.5e42 is not a float32.
    expect([cause.quantity, cause.step, error.step]).toEqual(['parameters[p0]', 7, 7]);
    expect(Number.isFinite(model.parameters[0]?.data[0])).toBe(true);
    expect(error.checkpoint.step).toBe(6);
    const resumed = diverging();
    const saved = JSON.parse(JSON.stringify(error.checkpoint));
    const run = await train(resumed, fixedBatch({ optimizer: sgd({ learningRate: 0.5 }), batchSize: 2 }), {
      steps: 8,
      resume: saved,
      allowConfigChange: true,
    });
    // η = 0.5 halves the distance to ȳ = 1.5 each step: finite from the checkpoint's w_6 on.
    expect(run.steps).toBe(8);
    expect(Math.abs((resumed.parameters[0]?.data[0] as number) - 1.5)).toBeLessThan(1e36);
  });

  it('frees the rejected update (new parameters and optimiser buffers)', async () => {
    const model = diverging();
    const ops = createTrackingOps();
    // The mock frees replaced parameters with its own ops: free them through the tracking ones.
    const setParameters = (next: readonly HostTensor[]) => {
      for (const p of model.parameters) ops.dispose(p);
      model.setParameters(next);
    };
    const tracked: Model<HostTensor> = Object.create(model, {
      ops: { value: ops },
      setParameters: { value: setParameters },
    });
    await train(tracked, fixedBatch({ optimizer: momentum({ learningRate: 1e6, momentum: 0.5 }), batchSize: 2 }), {
      steps: 20,
    }).catch(() => undefined);
    // Alive: the model's parameters only (one tensor); the rejected update and every buffer are freed.
    expect(ops.live()).toBe(1);
  });
});

describe('fixedBatch options', () => {
  it('rejects an unknown key, naming it', () => {
    expect(() => fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 2, bsMax: 64 } as never)).toThrow(
      'fixedBatch: options must be made of optimizer, batchSize, got "bsMax"',
    );
  });
});
