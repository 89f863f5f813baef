import { jsBackend } from '@abs/backend-js';
import {
  batchNorm,
  conv2d,
  dense,
  type EvaluateRequest,
  fixedBatch,
  flatten,
  type ModelSpec,
  maxPool2d,
  relu,
  residual,
  sequential,
  sgd,
  train,
} from '@abs/core';
import { CONV_SPEC, conformanceDataset, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { resolveTfjsBackendConfig } from '../resolve-tfjs-backend-config';
import { loadTfjs } from '../test-support/load-tfjs';
import { createTfjsBackend, tfjsBackend } from '../tfjs-backend';
import type { Tensor } from '../tfjs-namespace';
import { biasesBeforeNorm } from './layers/biases-before-norm';
import type { StatisticsOptions } from './linear-statistics';

const tf = await loadTfjs('cpu');
const batch = [3, 0, 7, 12, 5, 9, 1];
const convData = conformanceDataset({ size: 16, featureShape: [6, 5, 2], classes: 3, seed: 11 });

const backendWith = (statistics: StatisticsOptions) =>
  createTfjsBackend({ ...resolveTfjsBackendConfig({ tf }), statistics });

/** Per-example statistics of CONV_SPEC on tfjs (with `statistics`) and on js, compared. */
async function compareStatistics(statistics: StatisticsOptions, request: EvaluateRequest<never>): Promise<void> {
  const model = await backendWith(statistics).compile(CONV_SPEC, convData, { seed: 5 });
  const oracle = await jsBackend().compile(CONV_SPEC, convData, { seed: 5 });
  const a = await model.evaluate(batch, request);
  const e = await oracle.evaluate(batch, request);
  for (const key of ['secondMoment', 'weightedGradient'] as const) {
    const ours = await Promise.all((a[key] ?? []).map((t) => model.ops.read(t)));
    const theirs = await Promise.all((e[key] ?? []).map((t) => oracle.ops.read(t)));
    expect(ours.length, key).toBe(theirs.length);
    ours.forEach((v, i) =>
      expect(maxRelativeDifference(v, theirs[i] as Float32Array), `${key}[${i}]`).toBeLessThan(1e-3),
    );
    for (const t of a[key] ?? []) t.dispose();
  }
  a.gram?.forEach((k, l) => expect(maxRelativeDifference(k, e.gram?.[l] ?? []), `gram[${l}]`).toBeLessThan(1e-3));
  a.perExampleGradientNormSquared?.forEach((v, p) =>
    expect(maxRelativeDifference(v, e.perExampleGradientNormSquared?.[p] ?? []), `norms[${p}]`).toBeLessThan(1e-3),
  );
  model.dispose();
}

describe('conv layers on tfjs beyond the conformance suite', () => {
  it("the CABS 'reference' second moment drops cross-position terms, as backend-js does", async () => {
    await compareStatistics({ chunkElements: 1 << 22, method: 'auto' }, { secondMoment: { fidelity: 'reference' } });
    // The two fidelities differ on a conv layer (so the comparison above can fail).
    const model = await tfjsBackend({ tf }).compile(CONV_SPEC, convData, { seed: 5 });
    const exact = await model.evaluate(batch, { secondMoment: true });
    const reference = await model.evaluate(batch, { secondMoment: { fidelity: 'reference' } });
    const [x, r] = await Promise.all([exact, reference].map((m) => model.ops.read(m.secondMoment?.[0] as Tensor)));
    expect(maxRelativeDifference(r as Float32Array, x as Float32Array)).toBeGreaterThan(0.01);
    tf.dispose([...(exact.secondMoment ?? []), ...(reference.secondMoment ?? [])]);
    model.dispose();
  });

  const request = {
    secondMoment: true,
    gram: true,
    perExampleGradientNormSquared: true,
    exampleWeights: Float32Array.from(batch, (_, i) => i - 2),
  } as const;
  for (const method of ['materialise', 'positions'] as const) {
    it(`${method}: norms, moments, Gram and weighted gradients agree with js, in one chunk and one example per chunk`, async () => {
      await compareStatistics({ chunkElements: 1 << 22, method }, request);
      // A chunk bound below one example's values forces one example per chunk (and Gram blocks).
      await compareStatistics({ chunkElements: 8, method }, request);
    });
  }
});

describe("sgdStep's ξ on conv layers", () => {
  /** ξ from this model's own `evaluate` at its current parameters (moments − ‖ḡ‖², in float64). */
  async function evaluatedXi(model: Awaited<ReturnType<typeof compile>>, fidelity: 'norms' | 'reference') {
    const e = await model.evaluate(batch, {
      gradient: true,
      ...(fidelity === 'norms'
        ? { perExampleGradientNormSquared: true }
        : { secondMoment: { fidelity: 'reference' } as const }),
    });
    const values = await Promise.all([...(e.gradient ?? []), ...(e.secondMoment ?? [])].map((t) => model.ops.read(t)));
    tf.dispose([...(e.gradient ?? []), ...(e.secondMoment ?? [])]);
    const total = (list: readonly Float32Array[] | Float64Array[], f: (v: number) => number) =>
      list.reduce((s, t) => s + Array.from(t).reduce((u, v) => u + f(v), 0), 0);
    const squares = total(values.slice(0, e.gradient?.length), (v) => v * v);
    const moments = e.perExampleGradientNormSquared
      ? total(e.perExampleGradientNormSquared, (v) => v) / batch.length
      : total(values.slice(e.gradient?.length), (v) => v);
    return moments - squares;
  }
  const compile = () => tfjsBackend({ tf }).compile(CONV_SPEC, convData, { seed: 5 });

  it('comes from the moments it names, whichever second moment the same call returns', async () => {
    const model = await compile();
    const start = await model.readParameters();
    const exactXi = await evaluatedXi(model, 'norms');
    const referenceXi = await evaluatedXi(model, 'reference');
    // The two differ on a conv layer, so each comparison below can tell them apart.
    expect(maxRelativeDifference([referenceXi], [exactXi])).toBeGreaterThan(0.01);
    const cases = [
      [{ secondMoment: { fidelity: 'reference' } }, true, exactXi],
      [{ secondMoment: true }, { fidelity: 'reference' }, referenceXi],
      [{ secondMoment: { fidelity: 'reference' } }, { fidelity: 'reference' }, referenceXi],
      [{}, { fidelity: 'exact' }, exactXi],
    ] as const;
    let plain: Float32Array[] | undefined;
    for (const [statistics, gradientVariance, xi] of cases) {
      model.writeParameters(start);
      const moment = await model.evaluate(batch, statistics);
      const step = await model.sgdStep?.(batch, { learningRate: 0.1 }, { ...statistics, gradientVariance });
      expect(step?.applied).toBe(true);
      const label = JSON.stringify([statistics, gradientVariance]);
      expect(maxRelativeDifference([step?.gradientVariance ?? Number.NaN], [xi]), label).toBeLessThan(1e-4);
      const [ours, theirs] = [step?.secondMoment, moment.secondMoment].map((list) =>
        Promise.all((list ?? []).map((t) => model.ops.read(t))),
      );
      expect(await ours, `${label}: the moments asked for`).toEqual(await theirs);
      tf.dispose([...(step?.secondMoment ?? []), ...(moment.secondMoment ?? [])]);
      // ξ changes nothing in the step itself.
      const after = await model.readParameters();
      plain ??= await (async () => {
        model.writeParameters(start);
        await model.sgdStep?.(batch, { learningRate: 0.1 });
        return model.readParameters();
      })();
      expect(after).toEqual(plain);
    }
    model.dispose();
  });
});

describe('batch norm on tfjs', () => {
  const spec: ModelSpec = sequential(
    [4, 4, 2],
    [
      conv2d(3, 3),
      batchNorm({ momentum: 0.8 }),
      relu(),
      maxPool2d(2),
      flatten(),
      dense(4),
      batchNorm(),
      relu(),
      dense(3),
    ],
  );
  const data = conformanceDataset({ size: 16, featureShape: [4, 4, 2], classes: 3, seed: 2 });

  it('running averages follow training passes only, as in backend-js, and predict uses them', async () => {
    const model = await tfjsBackend({ tf }).compile(spec, data, { seed: 1 });
    const oracle = await jsBackend().compile(spec, data, { seed: 1 });
    expect(model.bufferInfo?.map((b) => b.name)).toEqual(oracle.bufferInfo?.map((b) => b.name));
    const passes: EvaluateRequest<never>[] = [
      { gradient: true }, // a training pass: updates
      {}, // loss only: keeps
      { gradient: true, runningStatistics: 'keep' },
      { runningStatistics: 'update' },
    ];
    for (const request of passes) {
      const a = await model.evaluate(batch, request);
      const e = await oracle.evaluate(batch, request);
      tf.dispose(a.gradient ?? []);
      expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(1e-4);
      const [ours, theirs] = [await model.readBuffers?.(), await oracle.readBuffers?.()];
      ours?.forEach((b, k) => expect(maxRelativeDifference(b, theirs?.[k] ?? []), `buffer ${k}`).toBeLessThan(1e-5));
    }
    expect((await model.readBuffers?.())?.[0], 'the means moved').not.toEqual(new Float32Array(3));
    const x = data.features.subarray(0, 5 * 32);
    expect(maxRelativeDifference(await model.predict(x, 5), await oracle.predict(x, 5))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('a pass with a non-finite loss leaves the running averages, and writeBuffers checks shapes', async () => {
    const model = await tfjsBackend({ tf }).compile(spec, data, { seed: 1 });
    const before = await model.readBuffers?.();
    const poisoned = (await model.readParameters()).map((p) => p.slice());
    (poisoned.at(-1) as Float32Array)[0] = Number.NaN;
    model.writeParameters(poisoned);
    const result = await model.evaluate(batch, { gradient: true });
    tf.dispose(result.gradient ?? []);
    expect(result.loss).toBeNaN();
    expect(await model.readBuffers?.()).toEqual(before);
    expect(() => model.writeBuffers?.([new Float32Array(3)])).toThrow(/writeBuffers/);
    model.writeBuffers?.((before ?? []).map((b) => b.map((v) => v + 1)));
    expect((await model.readBuffers?.())?.[1]?.[0]).toBe(2);
    model.dispose();
  });

  it('a refused sgdStep leaves the running averages with the parameters; a taken one moves both', async () => {
    const model = await tfjsBackend({ tf }).compile(spec, data, { seed: 1 });
    const [parameters, buffers] = [await model.readParameters(), await model.readBuffers?.()];
    // Loss and gradient are finite; 1 − ηλ = −1e40 is −Infinity in float32, so θ' is not.
    const refused = await model.sgdStep?.(batch, { learningRate: 1e30, weightDecay: 1e10 });
    expect(Number.isFinite(refused?.loss)).toBe(true);
    expect(refused?.applied).toBe(false);
    expect(await model.readParameters()).toEqual(parameters);
    expect(await model.readBuffers?.()).toEqual(buffers);
    expect((await model.sgdStep?.(batch, { learningRate: 0.1 }))?.applied).toBe(true);
    expect(await model.readBuffers?.()).not.toEqual(buffers);
    model.dispose();
  });

  it('the gradient of a bias that feeds a batch norm is exactly zero', async () => {
    expect([...biasesBeforeNorm(spec)]).toEqual([1, 5]);
    const nested = sequential([4], [residual([dense(4), batchNorm(), dense(4, { bias: false })]), dense(2)]);
    expect([...biasesBeforeNorm(nested)]).toEqual([1]);
    const model = await tfjsBackend({ tf }).compile(spec, data, { seed: 1 });
    const { gradient } = await model.evaluate(batch, { gradient: true });
    const values = await Promise.all((gradient ?? []).map((g) => model.ops.read(g)));
    expect(values[1]).toEqual(new Float32Array(3));
    expect(values[0]?.some((v) => v !== 0)).toBe(true);
    tf.dispose(gradient ?? []);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat over 500 sgd steps, a refused step included', async () => {
    const start = tf.memory().numTensors;
    const small = sequential([3, 3, 1], [conv2d(2, 2), batchNorm(), relu(), maxPool2d(2), flatten(), dense(3)]);
    const tiny = conformanceDataset({ size: 8, featureShape: [3, 3, 1], classes: 3, seed: 2 });
    const model = await tfjsBackend({ tf }).compile(small, tiny, { seed: 1 });
    const counts = new Map<number, number>();
    const run = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.05 }), batchSize: 4 }), {
      steps: 500,
      seed: 3,
      onEvent: (event) => {
        if (event.type === 'step') counts.set(event.report.step, tf.memory().numTensors);
      },
    });
    expect(counts.get(500)).toBe(counts.get(1));
    run.dispose();
    const poisoned = (await model.readParameters()).map((p) => p.slice());
    (poisoned.at(-1) as Float32Array)[0] = Number.NaN;
    model.writeParameters(poisoned);
    const held = tf.memory().numTensors;
    expect((await model.sgdStep?.([0, 1, 2], { learningRate: 0.1 }))?.applied).toBe(false);
    await expect(model.evaluate([0, 1], { gram: true })).rejects.toMatchObject({ code: 'abs.unsupported-capability' });
    expect(tf.memory().numTensors).toBe(held);
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
