import { jsBackend } from '@abs/backend-js';
import { describeSpec, type ModelSpec } from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset, expectExactResume } from '@abs/core/testing';
import { describe, it } from 'vitest';
import { labpal } from './labpal';
import { pal } from './pal';

const compileFor = (spec: ModelSpec, regression: boolean) => {
  const { inputShape, outputShape } = describeSpec(spec);
  const classes = outputShape[0] as number;
  const data = conformanceDataset({ size: 64, featureShape: inputShape, classes, seed: 3, regression });
  return () => jsBackend().compile(spec, data, { seed: 7 });
};

describe('LABPAL and PAL on convolutional and batch-norm networks', () => {
  const networks = [
    ['conv/pool/residual', CONV_SPEC, false],
    ['batch-norm', BATCH_NORM_SPEC, true],
  ] as const;
  for (const [title, spec, regression] of networks) {
    it(`labpal (SGD mode, measuring and training steps) resumes exactly (${title})`, async () => {
      // Window and reuse lengths short enough that the run crosses measuring and training steps.
      const algorithm = () =>
        labpal({
          batchSize: 8,
          approxBatches: 2,
          reuseSteps: 3,
          untrustedUpdates: 2,
          averagingWindow: 2,
          maxStepSize: 0.3,
        });
      await expectExactResume({ compile: compileFor(spec, regression), algorithm, steps: 9, cut: 4 });
    });
    it(`pal resumes exactly (${title})`, async () => {
      await expectExactResume({
        compile: compileFor(spec, regression),
        algorithm: () => pal({ batchSize: 8 }),
        steps: 6,
        cut: 3,
      });
    });
  }
});
