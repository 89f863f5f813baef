import {
  type BatchIndices,
  type Checkpoint,
  type HostTensor,
  InvalidArgumentError,
  InvalidCheckpointError,
  type Model,
  NonFiniteError,
  resolveGradientVariance,
  type SgdStep,
  type SgdStepRequest,
  type SgdStepResult,
  TrainingError,
  train,
} from '@abs/core';
import { describe, expect, it } from 'vitest';
import { cabs } from './cabs';
import { leastSquaresModel } from './test-support/models';

/** Six examples of a two-weight least-squares problem, each repeated four times. */
const problem = () =>
  leastSquaresModel({
    X: [
      [1, 0.5],
      [0.3, -1],
      [2, 1],
      [-1, 0.2],
      [0.7, 0.7],
      [1.5, -0.4],
    ],
    y: [1, -2, 0.5, 3, 1, -1],
    w: [0.2, -0.1],
    copies: 4,
  });

/**
 * `base` with an `sgdStep` written from the definition: one `evaluate` for the loss, the
 * gradient and the per-example norms, ξ = (1/m)·Σ_i‖g_i‖² − ‖ḡ‖², then θ ← θ − ηḡ when the
 * loss, ξ and the new parameters are finite. It records each call; `poison` turns a call's
 * loss into NaN (as a backend would see it) without touching the parameters.
 */
function withFusedStep(base: Model<HostTensor>, options: { poison?: (call: number) => boolean; noXi?: boolean } = {}) {
  const calls: { step: SgdStep; request: SgdStepRequest | undefined }[] = [];
  const model: Model<HostTensor> = Object.create(base);
  model.sgdStep = async (batch: BatchIndices, step: SgdStep, request?: SgdStepRequest) => {
    calls.push({ step, request });
    expect(resolveGradientVariance(base, request ?? {})).toBe('norms');
    const r = await base.evaluate(batch, { gradient: true, perExampleGradientNormSquared: true });
    const gradient = (r.gradient ?? []).map((g) => g.data);
    const loss = options.poison?.(calls.length) ? Number.NaN : r.loss;
    const norms = r.perExampleGradientNormSquared ?? [];
    const mean = norms.reduce((s, t) => s + t.reduce((u, v) => u + v, 0), 0) / r.batchSize;
    const gradientNormSquared = gradient.reduce((s, g) => s + g.reduce((u, v) => u + v * v, 0), 0);
    const xi = mean - gradientNormSquared;
    const next = base.parameters.map((p, i) =>
      base.ops.axpby(1, p, -step.learningRate, base.ops.fromArray(gradient[i] as Float32Array, [...p.shape])),
    );
    const applied = Number.isFinite(loss) && loss >= 0 && Number.isFinite(xi);
    if (applied) base.setParameters(next);
    const result: SgdStepResult<HostTensor> = {
      loss,
      gradientNormSquared,
      applied,
      ...(options.noXi ? {} : { gradientVariance: Number.isFinite(loss) ? xi : Number.NaN }),
    };
    return result;
  };
  return { model, calls, evaluate: base };
}

const algorithm = (fused?: boolean) =>
  cabs({ learningRate: 0.3, bsMin: 2, bsMax: 24, initialBatchSize: 3, ...(fused === undefined ? {} : { fused }) });

describe('cabs through a model that takes the whole step in one pass', () => {
  it('gives the reference path’s trajectory step for step, with one sgdStep and no evaluate per step', async () => {
    const reference = await train(problem(), algorithm(false), { steps: 40, seed: 4 });
    const base = problem();
    let evaluations = 0;
    const evaluate = base.evaluate.bind(base);
    const { model, calls } = withFusedStep(
      Object.assign(Object.create(base) as Model<HostTensor>, {
        evaluate: (...args: Parameters<typeof evaluate>) => {
          evaluations += 1;
          return evaluate(...args);
        },
      }),
    );
    evaluations = 0;
    const run = await train(model, algorithm(), { steps: 40, seed: 4 });
    expect(calls).toHaveLength(40);
    expect(calls[0]).toEqual({ step: { learningRate: 0.3 }, request: { gradientVariance: true } });
    // The only evaluations are the ones the stand-in sgdStep makes itself.
    expect(evaluations).toBe(40);
    const sizes = (trace: typeof run.trace) => trace.map((r) => [r.batchSize, r.nextBatchSize, r.examplesSeen]);
    expect(sizes(run.trace)).toEqual(sizes(reference.trace));
    expect(new Set(run.trace.map((r) => r.batchSize)).size, 'the batch size moved').toBeGreaterThan(1);
    run.trace.forEach((r, t) => {
      const e = reference.trace[t] as (typeof reference.trace)[number];
      expect(r.loss).toBeCloseTo(e.loss, 5);
      const close = (a: number, b: number) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
      expect(close(r.xi, e.xi), `ξ at step ${t + 1}: ${r.xi} vs ${e.xi}`).toBe(true);
      expect(close(r.rawBatchSize, e.rawBatchSize), `raw size at step ${t + 1}`).toBe(true);
    });
    const [a, b] = [await run.checkpoint(), await reference.checkpoint()];
    expect(a.state).toMatchObject({ step: 40, nextBatchSize: (b.state as { nextBatchSize: number }).nextBatchSize });
  });

  it('takes a refused step through the reference path, which goes on when it can', async () => {
    // The stand-in poisons only its own loss at the third call: the reference pass at the same
    // parameters is finite, so that step is taken there and the run is the reference run.
    const reference = await train(problem(), algorithm(false), { steps: 6, seed: 1 });
    const { model, calls } = withFusedStep(problem(), { poison: (call) => call === 3 });
    const run = await train(model, algorithm(), { steps: 6, seed: 1 });
    expect(calls).toHaveLength(6);
    expect(run.trace.map((r) => r.nextBatchSize)).toEqual(reference.trace.map((r) => r.nextBatchSize));
    expect(run.trace[2]?.loss).toBeCloseTo(reference.trace[2]?.loss as number, 5);
  });

  it('names the quantity through the reference path and changes nothing when both see it', async () => {
    const nan = withFusedStep(problem(), { poison: () => true });
    const model = Object.assign(Object.create(nan.model) as Model<HostTensor>, {
      evaluate: async (...args: Parameters<Model<HostTensor>['evaluate']>) => ({
        ...(await nan.evaluate.evaluate(...args)),
        loss: Number.NaN,
      }),
    });
    const before = await model.readParameters();
    const failed = (await train(model, algorithm(), { steps: 3, seed: 1 }).catch((e: unknown) => e)) as TrainingError;
    expect(TrainingError.isInstance(failed)).toBe(true);
    expect(NonFiniteError.isInstance(failed.cause)).toBe(true);
    expect((failed.cause as NonFiniteError).quantity).toBe('loss');
    expect(await model.readParameters()).toEqual(before);
    expect(nan.calls).toHaveLength(1);
  });

  it('refuses a backend that takes the step but returns no ξ', async () => {
    const { model } = withFusedStep(problem(), { noXi: true });
    const failed = (await train(model, algorithm(), { steps: 2 }).catch((e: unknown) => e)) as TrainingError;
    expect(InvalidArgumentError.isInstance(failed.cause)).toBe(true);
    expect(failed.cause).toMatchObject({ message: expect.stringContaining('returned no gradientVariance') });
  });

  it('rejects a fused that is not a boolean', () => {
    expect(() => cabs({ learningRate: 0.1, fused: 'yes' as never })).toThrow(/cabs: fused must be/);
  });
});

describe('cabs resume', () => {
  const checkpoint = async () => (await train(problem(), algorithm(), { steps: 6, seed: 2 })).checkpoint();
  const resume = (c: Checkpoint) => train(problem(), algorithm(), { steps: 2, resume: c }).catch((e: unknown) => e);

  it('names the corrupted field of a resumed state before any step', async () => {
    const good = await checkpoint();
    const cases: [string, Record<string, unknown>, string][] = [
      ['an empty state', {}, 'resume.state.step'],
      ['a negative step', { step: -1 }, 'resume.state.step'],
      ['examplesSeen as a string', { examplesSeen: '10' }, 'resume.state.examplesSeen'],
      ['ξ̄ not finite', { xiAvg: null }, 'resume.state.xiAvg'],
      ['a negative L̄', { lossAvg: -1 }, 'resume.state.lossAvg'],
      ['a next batch size of 1', { nextBatchSize: 1 }, 'resume.state.nextBatchSize'],
      ['no sampler', { sampler: undefined }, 'resume.state.sampler'],
    ];
    for (const [what, change, field] of cases) {
      const state = Object.keys(change).length === 0 ? {} : { ...(good.state as object), ...change };
      const error = await resume({ ...good, state: state as Checkpoint['state'] });
      expect(InvalidCheckpointError.isInstance(error), what).toBe(true);
      expect((error as InvalidCheckpointError).field, what).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}`));
    }
    const resumed = await resume(good);
    expect(resumed).toMatchObject({ trace: expect.any(Array) });
  });
});
