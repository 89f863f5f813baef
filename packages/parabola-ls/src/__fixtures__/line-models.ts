/**
 * Deterministic models for the spec's test vectors: a per-example loss that ignores the data
 * (so every batch, hence every sampled L̂, equals the closed form), on core's mock model, which
 * stores parameters in float32 like every backend. Plus a loop that runs an algorithm call by
 * call and records the reports and the parameters after each call.
 */
import {
  type Algorithm,
  type AlgorithmState,
  decodeState,
  type HostTensor,
  type Json,
  type Model,
  type StepReport,
} from '@abs/core';
import { createMockModel } from '@abs/core/testing';

export type LineLoss = (w: Float64Array, index: number) => { loss: number; gradient: number[] };

/** A model with one parameter tensor of `initial.length` entries and `size` examples. */
export function lossModel(initial: readonly number[], loss: LineLoss, size = 4): Model<HostTensor> {
  return createMockModel({
    shapes: [[initial.length]],
    initial: [Float32Array.from(initial)],
    size,
    perExample: (index, [w]) => {
      const value = loss(w as Float64Array, index);
      return { loss: value.loss, gradient: [value.gradient] };
    },
  });
}

/** f(θ) = ½θᵀHθ with H = diag(curvatures). */
export const quadratic =
  (curvatures: readonly number[]): LineLoss =>
  (w) => ({
    loss: 0.5 * curvatures.reduce((s, h, i) => s + h * (w[i] as number) ** 2, 0),
    gradient: curvatures.map((h, i) => h * (w[i] as number)),
  });

export interface Run<R extends StepReport> {
  readonly reports: R[];
  /** Parameters (flattened, float32 values) after each call. */
  readonly thetas: number[][];
  state: AlgorithmState;
}

/** A run that continues from `json`, a state written by `encodeState` and read back from JSON. */
export const resumedFrom = <R extends StepReport>(model: Model<HostTensor>, json: Json): Run<R> => ({
  reports: [],
  thetas: [],
  state: decodeState(model.ops, json) as AlgorithmState,
});

/** Runs `calls` steps from `init` (or from `run` to continue it). */
export async function runCalls<R extends StepReport>(
  model: Model<HostTensor>,
  algorithm: Algorithm<R>,
  calls: number,
  run?: Run<R>,
): Promise<Run<R>> {
  const out: Run<R> = run ?? { reports: [], thetas: [], state: await algorithm.init(model, { seed: 7 }) };
  for (let i = 0; i < calls; i++) {
    const result = await algorithm.step(model, out.state);
    out.state = result.state;
    out.reports.push(result.report);
    out.thetas.push(Array.from((await model.readParameters())[0] as Float32Array));
  }
  return out;
}

/** |actual − expected| / |expected|. */
export const relative = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);
