import { type EvaluateRequest, type EvaluateResult, type HostTensor, maxRelativeDifference } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { dataParallel } from './data-parallel';
import { createLocalGroup } from './local-group';
import { compile } from './test-support/problem';

// A batch whose size divides by neither 2 nor 3, so slices differ in size and the weights matter.
const batch = Array.from({ length: 37 }, (_, i) => (i * 13 + 5) % 512);

/** Host copies of a parameter list; holes (layers a request did not cover) stay undefined. */
async function readAll(model: { ops: { read(t: HostTensor): Promise<Float32Array> } }, list?: HostTensor[]) {
  return Promise.all((list ?? []).map((t) => (t === undefined ? undefined : model.ops.read(t))));
}

/** Evaluates `request` on `size` in-process ranks; returns rank 0's answer (all ranks agree). */
async function onRanks(
  size: number,
  request: (model: Awaited<ReturnType<typeof compile>>) => Promise<EvaluateRequest<HostTensor>>,
) {
  const results = await Promise.all(
    createLocalGroup(size).map(async (communicator) => {
      const local = await compile();
      const model = await dataParallel(local, { communicator });
      return { model, result: await model.evaluate(batch, await request(local)) };
    }),
  );
  const first = results[0] as { model: (typeof results)[0]['model']; result: EvaluateResult<HostTensor> };
  // Every rank holds the same merged answer.
  for (const other of results.slice(1)) {
    expect(await readAll(other.model, other.result.gradient)).toEqual(
      await readAll(first.model, first.result.gradient),
    );
    expect(other.result.loss).toBe(first.result.loss);
  }
  return first;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-6) =>
  expect(maxRelativeDifference(Float64Array.from(a), Float64Array.from(b))).toBeLessThan(tolerance);

describe('merged answers equal one process evaluating the whole batch', () => {
  it.each([2, 3])('statistics, per-example quantities, features and outputs on %i ranks', async (size) => {
    const request: EvaluateRequest<HostTensor> = {
      perExampleLoss: true,
      gradient: true,
      secondMoment: true,
      perExampleGradientNormSquared: true,
      features: { layer: 1 },
      outputs: true,
    };
    const single = await compile();
    const expected = await single.evaluate(batch, request);
    const { model, result } = await onRanks(size, async () => request);
    expect(result.batchSize).toBe(batch.length);
    expect(result.loss).toBeCloseTo(expected.loss, 12);
    const [g, g1] = [await readAll(model, result.gradient), await readAll(single, expected.gradient)];
    const [m, m1] = [await readAll(model, result.secondMoment), await readAll(single, expected.secondMoment)];
    g.forEach((values, p) => close(values as Float32Array, g1[p] as Float32Array));
    m.forEach((values, p) => close(values as Float32Array, m1[p] as Float32Array));
    expect(result.perExampleLoss).toEqual(expected.perExampleLoss);
    expect(result.perExampleGradientNormSquared).toEqual(expected.perExampleGradientNormSquared);
    for (const key of ['features', 'outputs'] as const) {
      const [a, b] = [result[key], expected[key]] as HostTensor[];
      expect(model.ops.shape(a as HostTensor)).toEqual(single.ops.shape(b as HostTensor));
      expect(await model.ops.read(a as HostTensor)).toEqual(await single.ops.read(b as HostTensor));
    }
  });

  it('evaluation at other parameters, replaced features and an upstream gradient', async () => {
    const single = await compile();
    const shifted = single.parameters.map((p) => single.ops.addScalar(p, 0.01));
    const features = single.ops.fromArray(
      Float32Array.from({ length: batch.length * 16 }, (_, i) => Math.sin(i)),
      [batch.length, 16],
    );
    const upstream = single.ops.fromArray(
      Float32Array.from({ length: batch.length * 3 }, (_, i) => Math.cos(i)),
      [batch.length, 3],
    );
    const requests: ((m: typeof single) => EvaluateRequest<HostTensor>)[] = [
      (m) => ({ gradient: true, parameters: m.parameters.map((p) => m.ops.addScalar(p, 0.01)) }),
      (m) => ({ gradient: true, replaceFeatures: { layer: 1, features: m.ops.clone(features) } }),
      (m) => ({ gradient: true, outputGradient: m.ops.clone(upstream) }),
    ];
    const expectations = [
      await single.evaluate(batch, { gradient: true, parameters: shifted }),
      await single.evaluate(batch, { gradient: true, replaceFeatures: { layer: 1, features } }),
      await single.evaluate(batch, { gradient: true, outputGradient: upstream }),
    ];
    for (const [k, makeRequest] of requests.entries()) {
      const expected = expectations[k] as EvaluateResult<HostTensor>;
      const { model, result } = await onRanks(2, async (m) => makeRequest(m));
      if (Number.isNaN(expected.loss)) expect(result.loss).toBeNaN();
      else expect(result.loss).toBeCloseTo(expected.loss, 12);
      const expectedGradient = expected.gradient ?? [];
      const holes = (list: readonly (HostTensor | undefined)[]) => Array.from(list, (t) => t === undefined);
      expect(holes(result.gradient ?? [])).toEqual(holes(expectedGradient));
      for (const [p, t] of (result.gradient ?? []).entries()) {
        if (t === undefined) continue;
        close(await model.ops.read(t), await single.ops.read(expectedGradient[p] as HostTensor));
      }
      if (expected.featureGradient) {
        close(
          await model.ops.read(result.featureGradient as HostTensor),
          await single.ops.read(expected.featureGradient),
        );
      }
    }
  });
});
