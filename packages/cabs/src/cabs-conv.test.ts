import { jsBackend } from '@abs/backend-js';
import { conv2d, dense, flatten, mlp, sequential, train } from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { cabs } from './cabs';

describe('cabs on convolutional networks', () => {
  it("takes the authors' conv moments with fidelity 'reference' (spec vector C3 inside a network)", async () => {
    // A 1×1 conv (w = 1, b = 0) over two positions x = (1, 2), flattened into a dense layer with
    // weights (1, 1): z = 3, target 2, so ∂ℓ/∂z = 1 and the conv's output gradient is δ = (1, 1).
    // Two identical examples: the gradient g equals each example's, so every exact variance is 0.
    // Conv weight: exact M = (Σ_p x_p δ_p)² = 9, reference Σ_p x_p²δ_p² = 5, g² = 9.
    // Conv bias:   exact M = (Σ_p δ_p)² = 4,  reference Σ_p δ_p² = 2,      g² = 4.
    // The dense layer is the same in both fidelities (variance 0), so ξ_reference = (5 − 9) + (2 − 4) = −6.
    const spec = sequential([1, 2, 1], [conv2d(1, 1), flatten(), dense(1)], { loss: 'mse' });
    const data = {
      name: 'c3',
      size: 2,
      featureShape: [1, 2, 1],
      features: Float32Array.from([1, 2, 1, 2]),
      targets: Float32Array.from([2, 2]),
      targetSize: 1,
    };
    const parameters = [[1], [0], [1, 1], [0]].map((p) => Float32Array.from(p));
    const xi = async (fidelity: 'exact' | 'reference') => {
      const model = await jsBackend().compile(spec, data, { parameters });
      const algorithm = cabs({ learningRate: 0.1, bsMin: 2, fidelity });
      const { report } = await algorithm.step(model, await algorithm.init(model, { seed: 0 }));
      return report.xi;
    };
    expect(await xi('exact')).toBe(0);
    expect(await xi('reference')).toBe(-6);
  });

  it('trains a conv/pool/residual net and resumes it exactly, in both fidelities', async () => {
    const data = conformanceDataset({ size: 48, featureShape: [6, 5, 2], classes: 3, seed: 2 });
    for (const fidelity of ['exact', 'reference'] as const) {
      const algorithm = () => cabs({ learningRate: 0.2, bsMin: 4, bsMax: 32, fidelity });
      const compile = () => jsBackend().compile(CONV_SPEC, data, { seed: 3 });
      const model = await compile();
      const full = await train(model, algorithm(), { steps: 12, seed: 1 });
      expect(full.trace.every((r) => Number.isFinite(r.loss))).toBe(true);
      const half = await train(await compile(), algorithm(), { steps: 5, seed: 1 });
      const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint()));
      const resumed = await compile();
      const rest = await train(resumed, algorithm(), { steps: 12, seed: 1, resume: checkpoint });
      expect(rest.trace, fidelity).toEqual(full.trace);
      expect(await resumed.readParameters(), fidelity).toEqual(await model.readParameters());
    }
  });

  it('refuses a batch-norm network at init, naming the layer', async () => {
    const data = conformanceDataset({ size: 8, featureShape: [5, 5, 2], classes: 3, seed: 1, regression: true });
    const model = await jsBackend().compile(BATCH_NORM_SPEC, data);
    await expect(cabs({ learningRate: 0.1 }).init(model, { seed: 0 })).rejects.toThrow(
      "backend 'js' does not support capability 'secondMoment': needed by cabs (or 'perExampleGradientNormSquared'); the model has batch normalisation (batchNorm1 at layers[1]), which mixes the examples of a batch, so per-example gradients are undefined",
    );
    // A dense model is unaffected.
    const dense = await jsBackend().compile(mlp([50, 3]), { ...data, featureShape: [50] });
    await expect(cabs({ learningRate: 0.1 }).init(dense, { seed: 0 })).resolves.toBeDefined();
  });
});
