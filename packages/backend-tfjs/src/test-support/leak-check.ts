/**
 * Test-only leak assertion: runs every kind of `evaluate` request the model offers (including
 * failing ones: before the device pass, after it, and a request a batch-norm model refuses),
 * `sgdStep` taken, refused and failing, plus `predict`, disposes what each returns, and expects `tf.memory().numTensors` unchanged.
 */
import type { EvaluateRequest, EvaluateResult, Model } from '@abs/core';
import { expect } from 'vitest';
import type { Tensor, TensorFlow } from '../tfjs-namespace';

function disposeResult(result: EvaluateResult<Tensor>): void {
  for (const list of [result.gradient, result.secondMoment, result.weightedGradient]) {
    for (const t of list ?? []) t?.dispose();
  }
  result.features?.dispose();
  result.outputs?.dispose();
  result.featureGradient?.dispose();
}

export async function exerciseEveryRequest(tf: TensorFlow, model: Model<Tensor>): Promise<void> {
  const n = Math.min(4, model.dataset.size);
  const batch = Array.from({ length: n }, (_, i) => i);
  const last = model.layers.length - 1;
  const width = model.layers[last]?.inputSize as number;
  const outputs = model.layers[last]?.outputSize as number;
  const uniform = () => new Float32Array(n).fill(1 / n);
  const inputs: Tensor[] = [];
  const make = (t: Tensor) => {
    inputs.push(t);
    return t;
  };
  const perExample = model.capabilities.has('gram');
  const requests: EvaluateRequest<Tensor>[] = [
    {},
    { perExampleLoss: true },
    { gradient: true, features: { layer: last }, outputs: true },
    { gradient: true, parameters: model.parameters.map((p) => make(tf.clone(p))) },
    { gradient: true, replaceFeatures: { layer: last, features: make(tf.zeros([n, width])) } },
    { gradient: true, outputGradient: make(tf.ones([n, outputs])) },
    ...(perExample
      ? [
          { gradient: true, secondMoment: true, gram: true, perExampleGradientNormSquared: true },
          { secondMoment: { fidelity: 'reference' } },
          { exampleWeights: uniform() },
          { gram: true, exampleWeights: () => uniform() },
          { secondMoment: true, gram: true, outputGradient: make(tf.ones([n, outputs])) },
        ]
      : []),
  ] as EvaluateRequest<Tensor>[];
  for (const request of requests) disposeResult(await model.evaluate(batch, request));
  if (perExample) {
    await expect(model.evaluate(batch, { exampleWeights: new Float32Array(n + 1) })).rejects.toMatchObject({
      code: 'abs.shape-mismatch',
    });
    await expect(
      model.evaluate(batch, { gradient: true, gram: true, exampleWeights: () => new Float32Array(n + 1) }),
    ).rejects.toMatchObject({ code: 'abs.shape-mismatch' });
  } else {
    await expect(model.evaluate(batch, { gradient: true, gram: true })).rejects.toMatchObject({
      code: 'abs.unsupported-capability',
    });
  }
  await exerciseSgdStep(model, batch, perExample);
  const inputSize = model.dataset.features.length / model.dataset.size;
  await model.predict(model.dataset.features.subarray(0, n * inputSize), n);
  for (const t of inputs) t.dispose();
}

/**
 * `sgdStep` taken (with every statistic, ξ from the norms and from the reference moments),
 * refused (non-finite new parameters: the kept old ones and the refused new ones), both also
 * normalised, and failing
 * before its pass (a bad `gradientVariance`; ξ on a batch-norm model).
 */
async function exerciseSgdStep(model: Model<Tensor>, batch: number[], perExample: boolean): Promise<void> {
  if (!model.sgdStep) return;
  const variance = perExample ? ({ gradientVariance: true } as const) : {};
  const all = { perExampleLoss: true, gradient: true, secondMoment: perExample, gram: perExample, ...variance };
  disposeResult({ batchSize: batch.length, ...(await model.sgdStep(batch, { learningRate: 1e-3 }, all)) });
  if (perExample) {
    const reference = { gradientVariance: { fidelity: 'reference' } } as const;
    disposeResult({ batchSize: batch.length, ...(await model.sgdStep(batch, { learningRate: 1e-3 }, reference)) });
  }
  // 1 − ηλ = −1e40 is −Infinity in float32: every new parameter is ±Infinity or NaN.
  const refused = await model.sgdStep(
    batch,
    { learningRate: 1e30, weightDecay: 1e10 },
    { gradient: true, ...variance },
  );
  expect(refused.applied, 'the huge step is refused').toBe(false);
  disposeResult({ batchSize: batch.length, ...refused });
  // Normalised, with every statistic, and refused.
  const normalize = { epsilon: 1e-8 };
  disposeResult({ batchSize: batch.length, ...(await model.sgdStep(batch, { learningRate: 1e-3, normalize }, all)) });
  const huge = { learningRate: 1e30, weightDecay: 1e10, normalize };
  const refusedNormalized = await model.sgdStep(batch, huge, { gradient: true, ...variance });
  expect(refusedNormalized.applied, 'the huge normalised step is refused').toBe(false);
  disposeResult({ batchSize: batch.length, ...refusedNormalized });
  await expect(
    model.sgdStep(batch, { learningRate: 0.1 }, { gradientVariance: { fidelity: 'nosuch' } as never }),
  ).rejects.toMatchObject({ code: 'abs.invalid-argument' });
  if (!perExample) {
    await expect(model.sgdStep(batch, { learningRate: 0.1 }, { gradientVariance: true })).rejects.toMatchObject({
      code: 'abs.unsupported-capability',
    });
  }
}

/** The leak assertion used as the conformance suite's `afterEach`. */
export async function expectNoLeaks(tf: TensorFlow, model: Model<Tensor>): Promise<void> {
  const before = tf.memory().numTensors;
  await exerciseEveryRequest(tf, model);
  expect(tf.memory().numTensors, 'tensors after every kind of request').toBe(before);
}
