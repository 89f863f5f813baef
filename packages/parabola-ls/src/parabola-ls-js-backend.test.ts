/**
 * LABPAL and PAL on the reference backend with core's `train()`: a small MLP on synthetic
 * Gaussian blobs learns in both LABPAL modes and fidelities and with PAL, and a run resumed
 * from a `train` checkpoint in the middle of a measurement window reproduces the uninterrupted one.
 */
import { jsBackend } from '@abs/backend-js';
import { type Checkpoint, createRng, type Dataset, evaluateModel, mlp, train } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { labpal } from './labpal';
import { pal } from './pal';
import type { LabpalOptions } from './resolve-labpal-config';

/** Three Gaussian blobs in 4-D (σ = 0.8 around centres ~3 apart), labels cycling 0, 1, 2. */
function blobs(size: number, seed: number): Dataset {
  const rng = createRng(seed);
  const centres = [
    [1.5, 0, -1, 0.5],
    [-1.5, 1, 0.5, -0.5],
    [0, -1.5, 1, 1],
  ];
  const labels = Int32Array.from({ length: size }, (_, i) => i % 3);
  const features = Float32Array.from({ length: size * 4 }, (_, j) => {
    const centre = centres[labels[Math.floor(j / 4)] as number] as number[];
    return (centre[j % 4] as number) + 0.8 * rng.nextNormal();
  });
  return { name: 'blobs', size, featureShape: [4], features, labels, numClasses: 3 };
}

const trainSet = blobs(480, 1);
const testSet = blobs(240, 2);
const spec = mlp([4, 16, 3]);
/**
 * A short run: windows of n_a = 4 batches, K = 40, U = 20, T_b = 2 from call 150. SGD mode's
 * λ = s/‖d‖ uses a one-batch direction, which on this easy problem gets small late while the
 * line stays flat, so s_max = 0.3 (not 1) keeps λ from exploding on 16-example batches.
 */
const small: LabpalOptions = {
  batchSize: 16,
  approxBatches: 4,
  reuseSteps: 40,
  untrustedUpdates: 20,
  averagingWindow: 5,
  maxStepSize: 0.3,
  batchSizeSchedule: [
    [0, 1],
    [150, 2],
  ],
  noiseFactor: 1,
};

describe('training on the js backend', () => {
  it.each([
    ['NSGD', 'exact'],
    ['SGD', 'exact'],
    ['NSGD', 'reference'],
    ['SGD', 'reference'],
  ] as const)('LABPAL %s (%s) halves the test loss and classifies the blobs', async (mode, fidelity) => {
    const model = await jsBackend().compile(spec, trainSet, { seed: 3 });
    const initial = await evaluateModel(model, testSet);
    const run = await train(model, labpal({ ...small, mode, fidelity }), { steps: 250, test: testSet, seed: 5 });
    expect(run.final?.loss).toBeLessThan(0.5 * initial.loss);
    expect(run.final?.accuracy).toBeGreaterThan(0.9);
    // Windows end at calls 3 (first), 28 (U + 1), 71, 114 (periodic) and 157 (forced T_b = 2 window [150–157]).
    expect(run.trace.filter((r) => r.measurement?.accepted).length).toBeGreaterThan(3);
    expect(run.trace.at(-1)).toMatchObject({ accumulation: 2, batchSize: 32 });
  });

  it('PAL halves the test loss and classifies the blobs', async () => {
    const model = await jsBackend().compile(spec, trainSet, { seed: 3 });
    const initial = await evaluateModel(model, testSet);
    const run = await train(model, pal({ batchSize: 16 }), { steps: 200, test: testSet, seed: 5 });
    expect(run.final?.loss).toBeLessThan(0.5 * initial.loss);
    expect(run.final?.accuracy).toBeGreaterThan(0.9);
  });

  it('resumes from a train() checkpoint taken mid-window exactly', async () => {
    const algorithm = labpal({ ...small, momentum: 0.5 });
    const whole = await train(await jsBackend().compile(spec, trainSet, { seed: 3 }), algorithm, {
      steps: 120,
      seed: 5,
    });
    // Windows [0–3], [25–28], [68–71]: stopping after call 69 leaves j = 2 of 4 stored.
    expect(whole.trace[69]).toMatchObject({ phase: 'measure', window: { call: 2, length: 4 } });
    let saved: Checkpoint | undefined;
    await train(await jsBackend().compile(spec, trainSet, { seed: 3 }), algorithm, {
      steps: 70,
      seed: 5,
      onCheckpoint: (checkpoint) => {
        saved = JSON.parse(JSON.stringify(checkpoint));
      },
    });
    const model = await jsBackend().compile(spec, trainSet, { seed: 99 });
    const resumed = await train(model, algorithm, { steps: 120, seed: 5, resume: saved as Checkpoint });
    expect(resumed.trace.map((r) => JSON.stringify(r))).toEqual(whole.trace.map((r) => JSON.stringify(r)));
    expect((await resumed.checkpoint()).parameters).toEqual((await whole.checkpoint()).parameters);
  });
});
