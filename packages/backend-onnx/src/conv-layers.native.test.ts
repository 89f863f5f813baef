import { jsBackend } from '@abs/backend-js';
import {
  conv2d,
  dense,
  type EvaluateResult,
  flatten,
  type HostTensor,
  hostTensor,
  type Model,
  maxPool2d,
  PER_EXAMPLE_CAPABILITIES,
  relu,
  sequential,
} from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { onnxBackend } from './onnx-backend';

const ort = await import('onnxruntime-node').catch(() => undefined);
const describeNative = ort ? describe : describe.skip;
if (!ort) it.skip('conv layer tests (skipped: onnxruntime-node cannot load)', () => {});

const BATCH = [3, 0, 7, 12, 5, 9, 1];
const flat = (list: readonly HostTensor[] | undefined) => Float64Array.from((list ?? []).flatMap((t) => [...t.data]));

/** Both backends compiled from one spec, dataset and seed. */
async function pair(spec: typeof CONV_SPEC, regression = false) {
  const dataset = conformanceDataset({
    size: 16,
    featureShape: spec.inputShape,
    classes: 3,
    seed: 11,
    regression,
  });
  const model = await onnxBackend().compile(spec, dataset, { seed: 5 });
  const oracle = await jsBackend().compile(spec, dataset, { seed: 5 });
  return { model, oracle, dataset };
}

describeNative('batch norm on onnx', () => {
  it('matches the reference’s loss and gradient (relative to the largest gradient entry)', async () => {
    const { model, oracle } = await pair(BATCH_NORM_SPEC, true);
    const a = await model.evaluate(BATCH, { gradient: true, outputs: true });
    const e = await oracle.evaluate(BATCH, { gradient: true, outputs: true });
    expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(1e-5);
    // Per parameter except the dense bias before batch norm, whose true gradient is 0 (the
    // suite's per-parameter floor cannot tell float32 rounding from an error there).
    expect(maxRelativeDifference(flat(a.gradient), flat(e.gradient))).toBeLessThan(1e-4);
    (a.gradient ?? []).forEach((g, p) => {
      expect(g.shape).toEqual(e.gradient?.[p]?.shape);
      if (p !== 10) expect(maxRelativeDifference(g.data, e.gradient?.[p]?.data ?? []), `[${p}]`).toBeLessThan(1e-4);
    });
    expect(Math.max(...Array.from(a.gradient?.[10]?.data ?? [1], Math.abs))).toBeLessThan(1e-6);
    expect(maxRelativeDifference(a.outputs?.data ?? [], e.outputs?.data ?? [])).toBeLessThan(1e-4);
  });

  it('updates running averages as the reference does, only on training passes with a finite loss', async () => {
    const { model, oracle } = await pair(BATCH_NORM_SPEC, true);
    expect(model.bufferInfo?.map((b) => b.name)).toEqual(oracle.bufferInfo?.map((b) => b.name));
    expect(await model.readBuffers?.()).toEqual(await oracle.readBuffers?.());
    const expectSame = async (what: string) => {
      const [a, e] = [(await model.readBuffers?.()) ?? [], (await oracle.readBuffers?.()) ?? []];
      expect(a.length, what).toBe(e.length);
      a.forEach((values, b) =>
        expect(maxRelativeDifference(values, e[b] as Float32Array), `${what} [${b}]`).toBeLessThan(1e-5),
      );
    };
    // A training pass updates; sgdStep is a training pass (the reference's is evaluate + update).
    await model.evaluate(BATCH, { gradient: true });
    await oracle.evaluate(BATCH, { gradient: true });
    await expectSame('after a gradient pass');
    // predict uses the running averages (and its session follows every later change of them).
    const x = model.dataset.features.subarray(0, 4 * 50);
    const predictSame = async () =>
      expect(maxRelativeDifference(await model.predict(x, 4), await oracle.predict(x, 4))).toBeLessThan(1e-4);
    await predictSame();
    const initial = await model.readBuffers?.();
    expect(initial?.[0]?.some((v) => v !== 0)).toBe(true);
    const before = await oracle.readParameters();
    await model.sgdStep?.([1, 2, 3, 4], { learningRate: 0.1 });
    const e = await oracle.evaluate([1, 2, 3, 4], { gradient: true });
    oracle.writeParameters(before.map((p, i) => p.map((v, j) => v - 0.1 * (e.gradient?.[i]?.data[j] as number))));
    await expectSame('after sgdStep');
    // Passes that keep them: no gradient, evaluation elsewhere, an explicit 'keep'.
    const kept = await model.readBuffers?.();
    await model.evaluate(BATCH, { outputs: true });
    await model.evaluate(BATCH, { gradient: true, runningStatistics: 'keep' });
    await model.evaluate(BATCH, { gradient: true, parameters: model.parameters });
    expect(await model.readBuffers?.()).toEqual(kept);
    await model.evaluate(BATCH, { runningStatistics: 'update' });
    await oracle.evaluate(BATCH, { runningStatistics: 'update' });
    await expectSame('after an explicit update');
    await predictSame();
    // A pass whose loss is not finite leaves them.
    const saved = await model.readBuffers?.();
    const poisoned = (await model.readParameters()).map((p) => p.slice());
    (poisoned.at(-1) as Float32Array)[0] = Number.NaN;
    model.writeParameters(poisoned);
    await model.evaluate(BATCH, { gradient: true });
    expect(await model.readBuffers?.()).toEqual(saved);
    model.dispose();
  });

  it('refuses per-example statistics with the error naming the batch-norm layer', async () => {
    const { model } = await pair(BATCH_NORM_SPEC, true);
    for (const capability of PER_EXAMPLE_CAPABILITIES) expect(model.capabilities.has(capability)).toBe(false);
    const requests = [
      { gram: true },
      { secondMoment: true },
      { perExampleGradientNormSquared: true },
      { exampleWeights: new Float32Array(7) },
    ];
    for (const request of requests) {
      await expect(model.evaluate(BATCH, request)).rejects.toMatchObject({
        code: 'abs.unsupported-capability',
        message: expect.stringContaining('batchNorm1 at layers[1]'),
      });
    }
    await expect(model.sgdStep?.(BATCH, { learningRate: 0.1 }, { gram: true })).rejects.toMatchObject({
      code: 'abs.unsupported-capability',
    });
    model.dispose();
  });

  it('writes buffers with the reference’s shape checks', async () => {
    const { model } = await pair(BATCH_NORM_SPEC, true);
    const values = ((await model.readBuffers?.()) ?? []).map((b) => b.map((_, j) => j + 0.5));
    model.writeBuffers?.(values);
    expect(await model.readBuffers?.()).toEqual(values);
    expect(() => model.writeBuffers?.([new Float32Array(3)])).toThrow(/writeBuffers/);
    expect(() => model.writeBuffers?.(values.map((v) => v.subarray(1)))).toThrow(/writeBuffers\[0\]: expected shape/);
    model.dispose();
  });
});

describeNative('conv statistics on onnx', () => {
  const compareLists = (a: EvaluateResult<HostTensor>, e: EvaluateResult<HostTensor>, tolerance: number) => {
    expect(a.secondMoment?.length).toBe(e.secondMoment?.length);
    (a.secondMoment ?? []).forEach((m, p) => {
      expect(maxRelativeDifference(m.data, e.secondMoment?.[p]?.data ?? []), `[${p}]`).toBeLessThan(tolerance);
      expect(m.shape).toEqual(e.secondMoment?.[p]?.shape);
    });
  };

  it('gives the CABS reference-fidelity second moment, which differs from the exact one on conv layers', async () => {
    const { model, oracle } = await pair(CONV_SPEC);
    const reference = { secondMoment: { fidelity: 'reference' } } as const;
    const a = await model.evaluate(BATCH, reference);
    compareLists(a, await oracle.evaluate(BATCH, reference), 1e-3);
    const exact = await model.evaluate(BATCH, { secondMoment: true });
    compareLists(exact, await oracle.evaluate(BATCH, { secondMoment: { fidelity: 'exact' } }), 1e-3);
    // Conv kernels (parameter 0) differ; the dense layers (one position) agree.
    expect(maxRelativeDifference(a.secondMoment?.[0]?.data ?? [], exact.secondMoment?.[0]?.data ?? [])).toBeGreaterThan(
      1e-2,
    );
    const last = model.parameterInfo.length - 2;
    expect(a.secondMoment?.[last]?.data).toEqual(exact.secondMoment?.[last]?.data);
    model.dispose();
  });

  it('computes norms by the positions Gram where that is cheaper, and both ways agree with the reference', async () => {
    // conv1: P = 4 positions, K = 3·3·8, F = 8: P·(K + F) < K·F, so its norms use positions.
    const spec = sequential(
      [4, 4, 2],
      [
        conv2d(8, 3, { init: 'glorot-uniform' }),
        relu(),
        maxPool2d(2),
        conv2d(8, 3, { init: 'glorot-uniform' }),
        relu(),
        flatten(),
        dense(3),
      ],
    );
    const { model, oracle } = await pair(spec);
    const request = { perExampleGradientNormSquared: true, gram: true, exampleWeights: new Float32Array(7).fill(0.5) };
    const a = await model.evaluate(BATCH, request);
    const e = await oracle.evaluate(BATCH, request);
    a.perExampleGradientNormSquared?.forEach((norms, p) => {
      expect(maxRelativeDifference(norms, e.perExampleGradientNormSquared?.[p] ?? []), `[${p}]`).toBeLessThan(1e-3);
    });
    a.gram?.forEach((k, l) => expect(maxRelativeDifference(k, e.gram?.[l] ?? []), `gram ${l}`).toBeLessThan(1e-3));
    expect(maxRelativeDifference(flat(a.weightedGradient), flat(e.weightedGradient))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('takes the kernel gradient of few input channels as a convolution: strides, both paddings', async () => {
    // 'valid', stride 2 over 8 × 7 leaves a row and a column no window reaches (sliced off).
    const spec = sequential(
      [8, 7, 2],
      [
        conv2d(3, [3, 2], { padding: 'valid', strides: 2, init: 'glorot-uniform' }),
        relu(),
        conv2d(4, 3, { strides: [2, 1], init: 'glorot-uniform' }),
        flatten(),
        dense(3),
      ],
    );
    const { model, oracle } = await pair(spec);
    const weights = Float32Array.from({ length: 7 }, (_, i) => i - 3);
    for (const request of [
      { gradient: true },
      { secondMoment: { fidelity: 'reference' } },
      { exampleWeights: weights },
    ] as const) {
      const a = await model.evaluate(BATCH, request);
      const e = await oracle.evaluate(BATCH, request);
      for (const [actual, expected] of [
        [a.gradient, e.gradient],
        [a.secondMoment, e.secondMoment],
        [a.weightedGradient, e.weightedGradient],
      ] as const) {
        (expected ?? []).forEach((t, p) => {
          expect(actual?.[p]?.shape).toEqual(t.shape);
          expect(
            maxRelativeDifference(actual?.[p]?.data ?? [], t.data),
            `${JSON.stringify(request)} [${p}]`,
          ).toBeLessThan(1e-4);
        });
      }
    }
    model.dispose();
  });

  it('agrees with the reference on gathered patches: 8+ input channels, strides, both paddings', async () => {
    // Layers with 8 input channels take their gradients from gathered patches (fewer: a convolution).
    const spec = sequential(
      [7, 6, 8],
      [
        conv2d(8, 3, { strides: 2, init: 'glorot-uniform' }),
        relu(),
        conv2d(8, [3, 2], { padding: 'valid', strides: [1, 2], init: 'glorot-uniform' }),
        flatten(),
        dense(3),
      ],
    );
    const { model, oracle } = await pair(spec);
    const requests = [
      { gradient: true, secondMoment: true, gram: true, perExampleGradientNormSquared: true },
      { secondMoment: { fidelity: 'reference' } },
      { exampleWeights: Float32Array.from({ length: 7 }, (_, i) => i - 3) },
    ] as const;
    for (const request of requests) {
      const a = await model.evaluate(BATCH, request);
      const e = await oracle.evaluate(BATCH, request);
      const pairs = [
        [flat(a.gradient), flat(e.gradient)],
        [flat(a.secondMoment), flat(e.secondMoment)],
        [flat(a.weightedGradient), flat(e.weightedGradient)],
        [
          Float64Array.from((a.gram ?? []).flatMap((k) => [...k])),
          Float64Array.from((e.gram ?? []).flatMap((k) => [...k])),
        ],
        [
          Float64Array.from((a.perExampleGradientNormSquared ?? []).flatMap((k) => [...k])),
          Float64Array.from((e.perExampleGradientNormSquared ?? []).flatMap((k) => [...k])),
        ],
      ] as const;
      for (const [actual, expected] of pairs) expect(maxRelativeDifference(actual, expected)).toBeLessThan(1e-3);
    }
    // ξ of the fused step, exact and reference, against ξ from the reference's statistics:
    // (1/n)·Σ_i ‖g_i‖² − ‖ḡ‖², and Σ M_ref − ‖ḡ‖².
    const total = (list: readonly ArrayLike<number>[]) =>
      list.reduce((s, t) => s + Array.from(t).reduce((u, v) => u + v, 0), 0);
    const e = await oracle.evaluate(BATCH, {
      gradient: true,
      perExampleGradientNormSquared: true,
      secondMoment: { fidelity: 'reference' },
    });
    const squares = total((e.gradient ?? []).map((g) => g.data.map((v) => v * v)));
    const expected = {
      exact: total(e.perExampleGradientNormSquared ?? []) / BATCH.length - squares,
      reference: total((e.secondMoment ?? []).map((m) => m.data)) - squares,
    };
    const parameters = await model.readParameters();
    for (const fidelity of ['exact', 'reference'] as const) {
      model.writeParameters(parameters);
      const step = await model.sgdStep?.(BATCH, { learningRate: 0.1 }, { gradientVariance: { fidelity } });
      expect(step?.applied).toBe(true);
      expect(
        maxRelativeDifference([step?.gradientVariance ?? Number.NaN], [expected[fidelity]]),
        fidelity,
      ).toBeLessThan(1e-3);
    }
    expect(expected.exact).not.toBeCloseTo(expected.reference, 2);
    model.dispose();
  });

  it('predicts with the parameters of the latest step', async () => {
    const { model, oracle, dataset } = await pair(CONV_SPEC);
    const x = dataset.features.subarray(0, 3 * 60);
    const before = await model.predict(x, 3);
    await model.sgdStep?.(BATCH, { learningRate: 0.5 });
    oracle.writeParameters(await model.readParameters());
    const after = await model.predict(x, 3);
    expect(after).not.toEqual(before);
    expect(maxRelativeDifference(after, await oracle.predict(x, 3))).toBeLessThan(1e-4);
    model.dispose();
  });

  it('replaces and returns features at a conv layer, flat or in the layer’s NHWC shape', async () => {
    const { model, oracle } = await pair(CONV_SPEC);
    // A conv layer of the top-level sequence after the residual blocks.
    const layer = model.layers.findIndex((l, i) => i > 0 && l.kind === 'conv2d' && l.sequenceIndex !== undefined);
    const info = model.layers[layer] as (typeof model.layers)[number];
    const values = Float32Array.from({ length: 7 * info.inputSize }, (_, i) => Math.sin(i));
    for (const shape of [
      [7, info.inputSize],
      [7, ...info.inputShape],
    ]) {
      const run = (m: Model<HostTensor>) =>
        m.evaluate(BATCH, {
          gradient: true,
          perExampleGradientNormSquared: true,
          replaceFeatures: { layer, features: hostTensor(values, shape) },
        });
      const [a, e] = [await run(model), await run(oracle)];
      expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(1e-4);
      expect(a.featureGradient?.shape).toEqual(shape);
      expect(maxRelativeDifference(a.featureGradient?.data ?? [], e.featureGradient?.data ?? [])).toBeLessThan(1e-4);
      expect(a.gradient?.slice(0, info.parameters[0]).every((g) => g === undefined)).toBe(true);
      expect(maxRelativeDifference(flat(a.gradient), flat(e.gradient))).toBeLessThan(1e-4);
    }
    const a = await model.evaluate(BATCH, { features: { layer } });
    const e = await oracle.evaluate(BATCH, { features: { layer } });
    expect(a.features?.shape).toEqual([7, ...info.inputShape]);
    expect(maxRelativeDifference(a.features?.data ?? [], e.features?.data ?? [])).toBeLessThan(1e-4);
    model.dispose();
  });
});
