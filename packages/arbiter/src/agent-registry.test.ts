import { jsBackend } from '@abs/backend-js';
import { createRng, type Dataset, type HostTensor, type Model, mlp, TrainingError, train } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { arbiter } from './arbiter';
import type { ArbiterOptions } from './resolve-arbiter-config';

function blobs(): Dataset {
  const rng = createRng(3);
  const labels = Int32Array.from({ length: 100 }, (_, i) => i % 2);
  const features = Float32Array.from({ length: 400 }, (_, k) => (labels[k >> 2] as number) * 2 + rng.nextNormal());
  return { name: 'blobs', size: 100, featureShape: [4], features, labels, numClasses: 2 };
}

/**
 * The inner model with its siblings counted: `live()` is the number of models compiled through
 * `compileSibling` (Arbiter's agents) and not yet disposed — the backend memory a run leaves.
 */
async function counted(): Promise<{ model: Model<HostTensor>; live: () => number }> {
  const inner = await jsBackend().compile(mlp([4, 6, 2]), blobs(), { seed: 1 });
  let live = 0;
  const compileSibling: Model<HostTensor>['compileSibling'] = async (...args) => {
    const sibling = await inner.compileSibling(...args);
    live += 1;
    let disposed = false;
    const dispose = () => {
      if (!disposed) live -= 1;
      disposed = true;
      sibling.dispose();
    };
    return new Proxy(sibling, { get: (t, k) => (k === 'dispose' ? dispose : Reflect.get(t, k, t)) });
  };
  const model = new Proxy(inner, { get: (t, k) => (k === 'compileSibling' ? compileSibling : Reflect.get(t, k, t)) });
  return { model, live: () => live };
}

const options: ArbiterOptions = { sMin: 2, sMax: 32, initialBatchSize: 8, warmupLr: 1e-2, maxWarmupIters: 500 };

describe("arbiter's compiled agents do not outlive their runs", () => {
  it('a run holds one agent per model while it trains and none once train() returns', async () => {
    const algorithm = arbiter({ ...options, warmupInput: 'noise' });
    const models = await Promise.all([counted(), counted(), counted()]);
    for (const { model, live } of models) {
      for (let run = 0; run < 2; run++) {
        const during: number[] = [];
        const result = await train(model, algorithm, {
          steps: 3,
          seed: run,
          onEvent: (event) => {
            if (event.type === 'step') during.push(live());
          },
        });
        // The noise warm-up's temporary agent is gone after each step; train releases the agent.
        expect(during).toEqual([1, 1, 1]);
        expect(live()).toBe(0);
        result.dispose();
      }
      algorithm.release(model); // idempotent
      expect(live()).toBe(0);
    }
  });

  it('a failed run releases its agent; resuming from a checkpoint rebuilds one for the run', async () => {
    const { model, live } = await counted();
    const failing = arbiter({ ...options, initialBatchSize: 2, maxWarmupIters: 1, warmupLr: 1e-9 });
    for (let run = 0; run < 3; run++) {
      const error = await train(model, failing, { steps: 2, seed: run }).catch((e: unknown) => e);
      expect(TrainingError.isInstance(error)).toBe(true);
      expect(live()).toBe(0);
    }
    const algorithm = arbiter({ ...options, warmup: false });
    const half = await train(model, algorithm, { steps: 2, seed: 4 });
    const checkpoint = await half.checkpoint();
    expect(live()).toBe(0);
    const during: number[] = [];
    const rest = await train(model, algorithm, {
      steps: 4,
      seed: 4,
      resume: checkpoint,
      onEvent: (event) => {
        if (event.type === 'step') during.push(live());
      },
    });
    expect(rest.trace).toHaveLength(4);
    expect(during).toEqual([1, 1]);
    expect(live()).toBe(0);
  });
});
