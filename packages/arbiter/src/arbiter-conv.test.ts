import { jsBackend } from '@abs/backend-js';
import { describeSpec, type ModelSpec } from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset, expectExactResume } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { arbiter } from './arbiter';

const compileFor = (spec: ModelSpec, regression: boolean) => {
  const { inputShape, outputShape } = describeSpec(spec);
  const classes = outputShape[0] as number;
  const data = conformanceDataset({ size: 80, featureShape: inputShape, classes, seed: 5, regression });
  return () => jsBackend().compile(spec, data, { seed: 3 });
};

describe('arbiter on convolutional and batch-norm networks', () => {
  const options = { sMin: 2, sMax: 16, initialBatchSize: 8, warmup: false, phiLr: 1e-3, alphaLr: 1e-2 } as const;
  for (const [title, spec, regression] of [
    ['conv/pool/residual', CONV_SPEC, false],
    ['batch-norm', BATCH_NORM_SPEC, true],
  ] as const) {
    it(`trains with the MLP agent on image inputs and resumes exactly (${title})`, async () => {
      await expectExactResume({
        compile: compileFor(spec, regression),
        algorithm: () => arbiter(options),
        steps: 5,
        cut: 2,
      });
    });
  }

  it('refuses an injection layer inside a residual block', async () => {
    const model = await compileFor(CONV_SPEC, false)();
    const inside = model.layers.findIndex((l) => l.sequenceIndex === undefined);
    await expect(arbiter({ ...options, injectionLayer: inside }).init(model, { seed: 0 })).rejects.toThrow(
      `arbiter: injectionLayer must be a layer of the top-level sequence (not inside a residual block), got ${inside}`,
    );
  });
});
