/**
 * The gradient check folded into ‖d‖² (`checkedSquaredNorm`), and LABPAL's plain-SGD training
 * call through a model's `sgdStep`: the same numbers with one pass fewer, and the same
 * NonFiniteError when something is not finite.
 */
import {
  axpbyList,
  dotList,
  type HostTensor,
  type Model,
  NonFiniteError,
  type SgdStep,
  type SgdStepResult,
} from '@abs/core';
import { createMockModel } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { lossModel, runCalls } from './__fixtures__/line-models';
import { checkedSquaredNorm } from './direction-norm';
import { labpal } from './labpal';
import { pal } from './pal';

const model = createMockModel({
  shapes: [[2], [1]],
  initial: [Float32Array.of(0, 0), Float32Array.of(0)],
  size: 1,
  perExample: () => ({ loss: 0, gradient: [[0, 0], [0]] }),
});
const tensors = (...lists: number[][]) => lists.map((v) => model.ops.fromArray(Float32Array.from(v), [v.length]));

describe('checkedSquaredNorm', () => {
  it('is dotList(d, d), term for term', async () => {
    const d = tensors([0.1, -3e-4], [7.25]);
    expect(await checkedSquaredNorm(model, { gradient: d, direction: d, step: 1 })).toBe(
      await dotList(model.ops, d, d),
    );
  });

  it('names the non-finite gradient tensor when d = β·buf + g carries it', async () => {
    const gradient = tensors([1, 2], [Number.NaN]);
    const direction = axpbyList(model.ops, 0.4, tensors([1, 1], [1]), 1, gradient);
    const error = await checkedSquaredNorm(model, { gradient, direction, step: 4 }).catch((e: unknown) => e);
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('gradient[p1] is NaN at step 4');
  });

  it('PAL with a kept direction (step 2) still names a non-finite gradient before probing', async () => {
    let broken = false;
    const line = lossModel([0.3, -0.2], (w) => ({
      loss: 0.5 * ((w[0] as number) ** 2 + (w[1] as number) ** 2),
      gradient: broken ? [Number.POSITIVE_INFINITY, 0] : [w[0] as number, w[1] as number],
    }));
    const algorithm = pal({ batchSize: 2, directionFactor: 0.4 });
    const first = await algorithm.step(line, await algorithm.init(line, { seed: 0 }));
    broken = true;
    const error = await algorithm.step(line, first.state).catch((e: unknown) => e);
    expect((error as Error).message).toBe('gradient[p0] is Infinity at step 2');
  });
});

/**
 * The mock model with an `sgdStep` that takes θ − η·g (or, normalised, θ − η·g/n with n = ‖g‖,
 * ε when 0) on the host, as a backend would in its pass.
 */
function withSgdStep(base: Model<HostTensor>, calls: { count: number; normalized?: number }): Model<HostTensor> {
  const sgdStep = async (batch: Int32Array, { learningRate, normalize }: SgdStep) => {
    calls.count += 1;
    const result = await base.evaluate(batch, { gradient: true });
    const gradient = result.gradient as HostTensor[];
    const norm = await dotList(base.ops, gradient, gradient);
    const out: SgdStepResult<HostTensor> = { loss: result.loss, gradientNormSquared: norm, applied: false };
    if (!Number.isFinite(result.loss) || !Number.isFinite(norm)) return out;
    const n = normalize ? Math.sqrt(norm) || normalize.epsilon : 1;
    if (normalize) calls.normalized = (calls.normalized ?? 0) + 1;
    base.setParameters(axpbyList(base.ops, 1, base.parameters, -learningRate / n, gradient));
    return { ...out, applied: true };
  };
  return Object.assign(Object.create(base), { sgdStep });
}

describe('labpal SGD and NSGD (β = 0, T_b = 1) through sgdStep', () => {
  let broken = false;
  const targets = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  const regression = () =>
    lossModel(
      [1.5, -1],
      (w, i) => {
        const r = [(w[0] as number) - (targets[i]?.[0] as number), (w[1] as number) - (targets[i]?.[1] as number)];
        const gradient = broken ? [Number.NaN, 0] : r;
        return { loss: 0.5 * ((r[0] as number) ** 2 + (r[1] as number) ** 2), gradient };
      },
      12,
    );
  const options = { mode: 'SGD', batchSize: 2, approxBatches: 3, reuseSteps: 5, noiseFactor: 1 } as const;

  it('takes every training call in the model’s pass, on the trajectory of the unfused calls', async () => {
    const calls = { count: 0 };
    const fused = await runCalls(withSgdStep(regression(), calls), labpal(options), 14);
    const plain = await runCalls(regression(), labpal(options), 14);
    expect(fused.reports).toEqual(plain.reports);
    expect(fused.thetas).toEqual(plain.thetas);
    expect(calls.count).toBe(plain.reports.filter((r) => r.phase === 'train').length);
    expect(calls.count).toBeGreaterThan(5);
  });

  it('takes NSGD training calls as normalised steps in the model’s pass, on the unfused trajectory', async () => {
    const nsgd = { ...options, mode: 'NSGD' } as const;
    const calls = { count: 0, normalized: 0 };
    const fused = await runCalls(withSgdStep(regression(), calls), labpal(nsgd), 14);
    const plain = await runCalls(regression(), labpal(nsgd), 14);
    expect(fused.reports).toEqual(plain.reports);
    expect(fused.thetas).toEqual(plain.thetas);
    const training = plain.reports.filter((r) => r.phase === 'train').length;
    expect([calls.count, calls.normalized]).toEqual([training, training]);
    expect(training).toBeGreaterThan(5);
  });

  it('a step the backend refuses runs unfused and names the gradient; the state is untouched', async () => {
    const calls = { count: 0 };
    const line = withSgdStep(regression(), calls);
    const algorithm = labpal(options);
    const run = await runCalls(line, algorithm, 4); // the window [0–2], then a training call
    const before = await line.readParameters();
    broken = true;
    const error = await algorithm.step(line, run.state).catch((e: unknown) => e);
    broken = false;
    expect([calls.count, (error as Error).message]).toEqual([2, 'gradient[p0] is NaN at step 5']);
    expect(await line.readParameters()).toEqual(before);
  });
});
