import { jsBackend } from '@abs/backend-js';
import { adam, describeSpec, type ModelSpec, sgd, train } from '@abs/core';
import { BATCH_NORM_SPEC, CONV_SPEC, conformanceDataset, expectExactResume } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { type DbaReport, dba } from './dba';

const dataFor = (spec: ModelSpec, regression = false) => {
  const { inputShape, outputShape } = describeSpec(spec);
  return conformanceDataset({
    size: 48,
    featureShape: inputShape,
    classes: outputShape[0] as number,
    seed: 6,
    regression,
  });
};

describe('dba on convolutional networks', () => {
  it('selects per conv layer from the Gram matrices and resumes exactly', async () => {
    const data = dataFor(CONV_SPEC);
    const algorithm = () => dba({ batchSize: 12, minSubset: 4, optimizer: adam({ learningRate: 0.01 }) });
    const model = await jsBackend().compile(CONV_SPEC, data, { seed: 2 });
    const run = await train(model, algorithm(), { steps: 6, seed: 4 });
    // One selection per parameterised layer, each within [minSubset, batch].
    expect(run.trace.every((r) => Number.isFinite(r.loss))).toBe(true);
    for (const report of run.trace as unknown as DbaReport[]) {
      expect(report.selected.length).toBe(model.layers.length);
      for (const size of report.selected) expect(size >= 4 && size <= 12).toBe(true);
    }
    await expectExactResume({
      compile: () => jsBackend().compile(CONV_SPEC, data, { seed: 2 }),
      algorithm,
      steps: 6,
      cut: 2,
    });
  });

  it('refuses a batch-norm network at init, naming the layer', async () => {
    const model = await jsBackend().compile(BATCH_NORM_SPEC, dataFor(BATCH_NORM_SPEC, true));
    await expect(dba({ optimizer: sgd({ learningRate: 0.1 }) }).init(model, { seed: 0 })).rejects.toThrow(
      "backend 'js' does not support capability 'gram': needed by dba; the model has batch normalisation (batchNorm1 at layers[1])",
    );
  });
});
