/**
 * The resume check every algorithm package runs: train `steps` in one go; train `cut` steps,
 * checkpoint through JSON, resume on a fresh model to `steps`; the trace, the parameters and
 * the buffers (batch-norm running averages) must be bit-identical.
 */
import { expect } from 'vitest';
import type { Algorithm } from '../algorithm/algorithm';
import type { Model } from '../model/model';
import { train } from '../train/train';

export async function expectExactResume<T>(options: {
  readonly compile: () => Promise<Model<T>>;
  readonly algorithm: () => Algorithm;
  readonly steps: number;
  readonly cut: number;
  readonly seed?: number;
}): Promise<void> {
  const { compile, algorithm, steps, cut, seed = 1 } = options;
  const whole = await compile();
  const full = await train(whole, algorithm(), { steps, seed });
  expect(full.trace.length, 'the uninterrupted run finished').toBe(steps);
  const first = await compile();
  const half = await train(first, algorithm(), { steps: cut, seed });
  const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint()));
  const resumed = await compile();
  const rest = await train(resumed, algorithm(), { steps, seed, resume: checkpoint });
  expect(rest.trace, 'trace').toEqual(full.trace);
  expect(await resumed.readParameters(), 'parameters').toEqual(await whole.readParameters());
  expect(await resumed.readBuffers?.(), 'buffers').toEqual(await whole.readBuffers?.());
  for (const run of [full, half, rest]) run.dispose();
  for (const model of [whole, first, resumed]) model.dispose();
}
