import { jsBackend } from '@abs/backend-js';
import {
  type Checkpoint,
  createRng,
  type Dataset,
  encodeState,
  type HostTensor,
  InvalidHyperParameterError,
  type Model,
  mlp,
  NonFiniteError,
  TrainingError,
  train,
} from '@abs/core';
import { createMockModel } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { arbiter } from './arbiter';
import type { ArbiterReport } from './arbiter-report';
import type { ArbiterState } from './arbiter-state';
import { batchSizeOf } from './batch-size-map';
import type { ArbiterOptions } from './resolve-arbiter-config';
import { WarmupNotConvergedError } from './warmup-not-converged-error';

/** Three Gaussian blobs in 4-D, 200 examples: 160 train the inner model, 40 are validation. */
function blobs(options: { size?: number } = {}): Dataset {
  const size = options.size ?? 200;
  const rng = createRng(42);
  const centres = [
    [2, 0, 0, 1],
    [-2, 1, 0, 0],
    [0, -2, 2, 0],
  ];
  const labels = Int32Array.from({ length: size }, (_, i) => i % 3);
  const features = Float32Array.from({ length: size * 4 }, (_, k) => {
    const i = Math.floor(k / 4);
    return (centres[labels[i] as number]?.[k % 4] as number) + 0.7 * rng.nextNormal();
  });
  return { name: 'blobs', size, featureShape: [4], features, labels, numClasses: 3 };
}

const compile = (data = blobs()) => jsBackend().compile(mlp([4, 8, 3]), data, { seed: 1 });

/** Small ranges and fast agent learning rates, so warm-ups and decisions happen in a few steps. */
const small: ArbiterOptions = {
  sMin: 2,
  sMax: 32,
  initialBatchSize: 16,
  phiLr: 1e-3,
  alphaLr: 1e-2,
  warmupLr: 1e-2,
  maxWarmupIters: 500,
};

const bits = async (model: Model<HostTensor>) =>
  (await model.readParameters()).map((p) => Array.from(new Uint32Array(p.buffer)));

describe('arbiter on jsBackend through train()', () => {
  it('trains, warms up first and decides a batch size at every epoch end', async () => {
    const model = await compile();
    const run = await train(model, arbiter(small), { steps: 45, seed: 3 });
    const trace = run.trace;
    expect(trace[0]?.warmupIterations).toBeGreaterThan(0);
    expect(trace.slice(1).every((r) => r.warmupIterations === undefined)).toBe(true);
    // Epoch 0 runs at B = 16 over 160 training examples: 10 steps, then the first decision.
    expect(trace.slice(0, 10).every((r) => r.batchSize === 16 && r.epochBatchSize === 16)).toBe(true);
    const ends = trace.filter((r) => r.nextBatchSize !== undefined);
    expect(ends.length).toBeGreaterThanOrEqual(3);
    expect(trace[9]?.nextBatchSize).toBeDefined();
    for (const [i, r] of trace.entries()) {
      expect(r.step).toBe(i + 1);
      if (r.nextBatchSize !== undefined) {
        // B_{e+1} = B(l_{j*}) is one of this iteration's candidates, and the next epoch uses it.
        expect(r.candidates).toContain(r.nextBatchSize);
        expect(r.chosenIndex).toBeGreaterThanOrEqual(0);
        if (trace[i + 1]) expect(trace[i + 1]?.epochBatchSize).toBe(r.nextBatchSize);
      }
      expect([...r.candidates]).toEqual([...r.candidates].sort((a, b) => a - b));
      expect(r.pi.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
      expect(r.metaBatchSize).toBe(batchSizeOf(r.lAlpha, { sMin: 2, sMax: 32, fidelity: 'corrected' }));
      expect(Number.isFinite(r.metaLoss)).toBe(true);
      expect(r.batchSize).toBeLessThanOrEqual(r.epochBatchSize);
    }
    // Examples seen count training draws only; validation draws are counted apart.
    expect(trace.at(-1)?.examplesSeen).toBe(trace.reduce((s, r) => s + r.batchSize, 0));
    expect(trace.at(-1)?.validationExamplesSeen).toBeGreaterThan(0);
    expect(run.recentLoss).toBeLessThan(trace[0]?.loss as number);
  });

  it('resumes from a JSON checkpoint exactly, across a pending re-warm and an α re-draw', async () => {
    const options: ArbiterOptions = { ...small, fixedSchedule: { milestones: [2], sizes: [24] } };
    const full = await train(await compile(), arbiter(options), { steps: 32, seed: 5 });
    // The milestone after epoch 2 sets B = 24 and re-warms at the next step.
    const milestone = full.trace.findIndex((r) => r.nextBatchSize === 24 && r.epoch === 1);
    expect(milestone).toBeGreaterThan(0);
    expect(full.trace[milestone + 1]?.warmupIterations).toBeGreaterThan(0);
    expect(full.trace[milestone + 1]?.epochBatchSize).toBe(24);

    let saved: Checkpoint | undefined;
    await train(await compile(), arbiter(options), {
      steps: milestone + 1,
      seed: 5,
      onCheckpoint: (c) => {
        saved = JSON.parse(JSON.stringify(c));
      },
    });
    const resumedModel = await compile();
    const resumed = await train(resumedModel, arbiter(options), { steps: 32, seed: 5, resume: saved as Checkpoint });
    expect(resumed.trace).toEqual(full.trace);
    const a = await full.checkpoint();
    const b = await resumed.checkpoint();
    expect(b.parameters).toEqual(a.parameters);
    expect(b.state).toEqual(a.state);
  });

  it('stand-alone state is plain JSON (typed arrays and tensors encode)', async () => {
    const model = await compile();
    const algorithm = arbiter({ ...small, warmup: false });
    const state = (await algorithm.init(model, { seed: 1 })) as ArbiterState<HostTensor>;
    expect(state).toMatchObject({
      trainSize: 160,
      validationSize: 40,
      injectionLayer: 1,
      batchSize: 16,
      pendingWarmup: 0,
    });
    expect(state.m.length).toBe(8); // the input width of the last dense layer
    expect(state.alpha.length).toBe(4);
    const json = JSON.parse(JSON.stringify(await encodeState(model.ops, state)));
    expect(json.phi).toHaveLength(6);
  });

  it('SGD-HD mode adapts the inner learning rate while Arbiter sets B', async () => {
    const run = await train(await compile(), arbiter({ ...small, innerLrHypergradient: { kind: 'sgd', beta: 1e-3 } }), {
      steps: 12,
      seed: 2,
    });
    const rates = run.trace.map((r) => r.learningRate);
    expect(rates[0]).toBe(0.01); // u_0 = 0
    expect(new Set(rates).size).toBeGreaterThan(5);
  });

  it("warms up on Gaussian noise with warmupInput 'noise' (no validation examples used)", async () => {
    const run = await train(await compile(), arbiter({ ...small, warmupInput: 'noise' }), { steps: 1, seed: 2 });
    const first = run.trace[0] as ArbiterReport;
    expect(first.warmupIterations).toBeGreaterThan(0);
    // Only this step's observation batch (min(16, 40)) and meta-batch were validation draws.
    expect(first.validationExamplesSeen).toBe(16 + first.metaBatchSize);
  });

  it('a step size above the training set gives one full batch per epoch', async () => {
    const run = await train(await compile(), arbiter({ ...small, warmup: false, sMax: 400, initialBatchSize: 300 }), {
      steps: 2,
      seed: 1,
    });
    expect(run.trace[0]).toMatchObject({ batchSize: 160, epochBatchSize: 300, epoch: 0 });
    expect(run.trace[0]?.nextBatchSize).toBeDefined();
  });
});

describe('arbiter errors', () => {
  it('throws WarmupNotConvergedError, leaving parameters and state untouched', async () => {
    const model = await compile();
    const before = await bits(model);
    const failing = train(model, arbiter({ ...small, initialBatchSize: 2, maxWarmupIters: 1, warmupLr: 1e-6 }), {
      steps: 3,
    });
    const error = await failing.catch((e: unknown) => e);
    expect(TrainingError.isInstance(error)).toBe(true);
    const cause = (error as TrainingError).cause;
    expect(WarmupNotConvergedError.isInstance(cause)).toBe(true);
    expect((cause as WarmupNotConvergedError).target).toBe(2);
    expect(await bits(model)).toEqual(before);
  });

  it('non-finite agent outputs throw NonFiniteError and roll back the inner step', async () => {
    const model = await compile();
    const algorithm = arbiter({ ...small, warmup: false });
    const state = (await algorithm.init(model, { seed: 1 })) as ArbiterState<HostTensor>;
    (state.phi.at(-1) as HostTensor).data.fill(Number.NaN); // the agent's output bias
    algorithm.release(model); // the compiled agent holds a copy of φ: rebuild it from the state
    const before = await bits(model);
    const encoded = JSON.stringify(await encodeState(model.ops, state));
    const error = await algorithm.step(model, state).catch((e: unknown) => e);
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as NonFiniteError).quantity).toBe('agentOutputs');
    expect((error as Error).message).toBe('agentOutputs is NaN at step 1');
    expect(await bits(model)).toEqual(before);
    expect(JSON.stringify(await encodeState(model.ops, state))).toBe(encoded);
  });

  it('a non-finite inner loss throws before any update', async () => {
    const model = await compile();
    const algorithm = arbiter({ ...small, warmup: false });
    const state = await algorithm.init(model, { seed: 1 });
    model.writeParameters((await model.readParameters()).map((p) => p.fill(Number.NaN)));
    const error = await algorithm.step(model, state).catch((e: unknown) => e);
    expect((error as Error).message).toBe('loss is NaN at step 1');
  });

  it("agent 'conv' on flat observations is an InvalidHyperParameterError at init", async () => {
    const error = await arbiter({ agent: 'conv' })
      .init(await compile(), { seed: 0 })
      .catch((e: unknown) => e);
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "arbiter: agent must be 'mlp' for a dataset whose featureShape is [4] (the conv agent reads images " +
        '[height, width, channels] of at least 3×3), got "conv"',
    );
  });

  it('checks the injection layer and the split against the model at init', async () => {
    const model = await compile();
    await expect(arbiter({ injectionLayer: 2 }).init(model, { seed: 0 })).rejects.toThrow(
      "arbiter: injectionLayer must be an integer in [0, the inner model's 2 layers), got 2",
    );
    const tiny = await compile(blobs({ size: 3 }));
    await expect(arbiter({ trainFraction: 0.2 }).init(tiny, { seed: 0 })).rejects.toThrow(
      'arbiter: trainFraction must be in (0, 1) leaving both parts non-empty for a dataset of 3 examples, got 0.2',
    );
  });

  it('names a missing capability of the inner model', async () => {
    const model = createMockModel({
      shapes: [[1]],
      initial: [new Float32Array(1)],
      size: 4,
      perExample: () => ({ loss: 0, gradient: [[0]] }),
    });
    await expect(arbiter().init(model, { seed: 0 })).rejects.toThrow(
      "backend 'mock' does not support capability 'features': needed by arbiter",
    );
  });
});
