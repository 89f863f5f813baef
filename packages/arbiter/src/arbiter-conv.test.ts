import { jsBackend } from '@abs/backend-js';
import { describeSpec, encodeState, type Json, type ModelSpec, train } from '@abs/core';
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

describe("arbiter with the 'conv' agent", () => {
  const options = {
    sMin: 2,
    sMax: 16,
    initialBatchSize: 8,
    phiLr: 1e-3,
    alphaLr: 1e-2,
    warmupLr: 1e-2,
    maxWarmupIters: 200,
    agent: 'conv',
  } as const;

  for (const warmupInput of ['validation', 'noise'] as const) {
    it(`resumes exactly, the agent's running averages included (${warmupInput} warm-up)`, async () => {
      const compile = compileFor(BATCH_NORM_SPEC, true);
      const algorithm = () => arbiter({ ...options, warmupInput });
      await expectExactResume({ compile, algorithm, steps: 5, cut: 2 });
      // expectExactResume compares what the inner model sees; the agent's running averages never
      // change a decision, so compare them through the end states.
      const whole = await train(await compile(), algorithm(), { steps: 5, seed: 1 });
      const half = await train(await compile(), algorithm(), { steps: 2, seed: 1 });
      const resume = JSON.parse(JSON.stringify(await half.checkpoint()));
      const rest = await train(await compile(), algorithm(), { steps: 5, seed: 1, resume });
      const [a, b] = [await whole.checkpoint(), await rest.checkpoint()];
      const buffers = (a.state as { agentBuffers: Json[] }).agentBuffers;
      expect(buffers).toHaveLength(8);
      expect((b.state as { agentBuffers: Json[] }).agentBuffers).toEqual(buffers);
      expect(b.state).toEqual(a.state);
      // They moved: the first running mean is no longer its initial 0.
      const initial = await arbiter({ ...options, warmupInput }).init(await compile(), { seed: 1 });
      const start = JSON.parse(JSON.stringify(await encodeState(jsBackend().ops, initial))).agentBuffers;
      expect(buffers[0]).not.toEqual(start[0]);
    });
  }
});
