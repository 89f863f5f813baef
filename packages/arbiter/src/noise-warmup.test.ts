import { jsBackend } from '@abs/backend-js';
import { type Dataset, dense, flatten, relu, sequential, train } from '@abs/core';
import { mnist } from '@abs/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { arbiter } from './arbiter';
import type { ArbiterReport } from './arbiter-report';
import type { AgentKind, WarmupInput } from './resolve-arbiter-config';

// README “The agent”: after a warm-up on N(0, 1) noise the agent sees real images. Ten digits per
// class (80 training images; the last 16 are validation), a warm-up to B = 8 in [2, 64], then the
// agent's proposals for the first real observation batch: its candidates B(l_j) and the mixture
// B_t = B(l_α) that sizes the meta-batch. The conv agent sees the digits averaged over 2×2 blocks
// (14×14×1), so the reference backend's conv passes cost a quarter of the 28×28 work; the MLP
// agent sees them whole.
let images: Dataset;
let small: Dataset;
beforeAll(async () => {
  const data = await mnist({ limitPerClass: 10, normalize: 'standardize' });
  const features = new Float32Array(data.train.size * 196);
  for (let i = 0; i < data.train.size; i++) {
    for (let y = 0; y < 14; y++) {
      for (let x = 0; x < 14; x++) {
        let sum = 0;
        for (const [dy, dx] of [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ] as const) {
          sum += data.train.features[i * 784 + (2 * y + dy) * 28 + 2 * x + dx] as number;
        }
        features[i * 196 + y * 14 + x] = sum / 4;
      }
    }
  }
  images = { ...data.train, featureShape: [28, 28, 1] };
  small = { ...data.train, features, featureShape: [14, 14, 1] };
});

const TOLERANCE = 2; // warmupTolerance: a warm-up stops anywhere within ±2 of its target

async function proposals(data: Dataset, agent: AgentKind | undefined, warmupInput: WarmupInput) {
  const spec = sequential(data.featureShape, [flatten(), dense(16), relu(), dense(10)]);
  const model = await jsBackend().compile(spec, data, { seed: 1 });
  const algorithm = arbiter({
    preset: 'notebook',
    ...(agent ? { agent } : {}),
    warmupInput,
    sMin: 2,
    sMax: 64,
    initialBatchSize: 8,
    warmupLr: 1e-2,
    warmupTolerance: TOLERANCE,
  });
  const run = await train(model, algorithm, { steps: 1, seed: 1 });
  algorithm.release(model);
  const first = run.trace[0] as ArbiterReport;
  expect(first.warmupIterations).toBeGreaterThan(0);
  return { candidates: [...first.candidates], size: first.metaBatchSize };
}

describe('a noise warm-up followed by real images (MNIST digits)', () => {
  it("the notebook's conv agent proposes sizes within the range of a validation warm-up", async () => {
    const validation = await proposals(small, undefined, 'validation'); // the notebook preset picks 'conv' for images
    const noise = await proposals(small, undefined, 'noise');
    const seen = `noise ${JSON.stringify(noise)} vs validation ${JSON.stringify(validation)}`;
    // The range: the validation-warmed candidates, widened by the precision a warm-up stops at.
    const low = Math.min(...validation.candidates) - TOLERANCE;
    const high = Math.max(...validation.candidates) + TOLERANCE;
    for (const size of noise.candidates) expect(size, seen).toBeGreaterThanOrEqual(low);
    for (const size of noise.candidates) expect(size, seen).toBeLessThanOrEqual(high);
    expect(Math.abs(noise.size - validation.size), seen).toBeLessThanOrEqual(TOLERANCE);
  }, 240_000); // ~18 conv passes of 8 small images on the reference backend: a bound against hangs, not a target

  it('the MLP agent shifts far beyond it (why the notebook preset uses the conv agent for images)', async () => {
    const validation = await proposals(images, 'mlp', 'validation');
    const noise = await proposals(images, 'mlp', 'noise');
    const seen = `noise ${JSON.stringify(noise)} vs validation ${JSON.stringify(validation)}`;
    expect(noise.size - validation.size, seen).toBeGreaterThan(5 * TOLERANCE);
    expect(Math.min(...noise.candidates), seen).toBeGreaterThan(Math.max(...validation.candidates) + TOLERANCE);
  });
});
