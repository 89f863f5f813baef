import { jsBackend } from '@abs/backend-js';
import {
  type AlgorithmState,
  decodeState,
  encodeState,
  type HostTensor,
  type Model,
  mlp,
  NonFiniteError,
  TrainingError,
  train,
} from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type CabsReport, cabs } from './cabs';
import { blobs } from './test-support/blobs';
import { leastSquaresModel } from './test-support/models';

// A small problem on which CABS visibly adapts within 200 steps: 3 Gaussian blobs in 4-D,
// a 4-32-3 relu network, α = 1, batches in [8, 256].
const dataset = blobs({ size: 1024, width: 4, classes: 3, seed: 7 });
const compile = () => jsBackend().compile(mlp([4, 32, 3]), dataset, { seed: 1 });
const algorithm = () => cabs({ learningRate: 1, bsMin: 8, bsMax: 256 });

async function run(model: Model<HostTensor>, state: AlgorithmState, steps: number) {
  const cabsAlgorithm = algorithm();
  const reports: CabsReport[] = [];
  for (let t = 0; t < steps; t++) {
    const result = await cabsAlgorithm.step(model, state);
    state = result.state;
    reports.push(result.report);
  }
  return { state, reports };
}

describe('a 200-step CABS run on jsBackend', () => {
  it('has a deterministic integer trajectory that starts at bsMin, stays in bounds and grows', async () => {
    const trajectories = await Promise.all(
      [4, 4, 5].map(async (seed) => {
        const model = await compile();
        const { reports } = await run(model, await algorithm().init(model, { seed }), 200);
        return { reports, parameters: await model.readParameters() };
      }),
    );
    const [first, again, otherSeed] = trajectories;
    const sizes = first?.reports.map((r) => r.batchSize) ?? [];
    expect(sizes).toHaveLength(200);
    expect(sizes[0]).toBe(8);
    for (const size of sizes) {
      expect(Number.isInteger(size)).toBe(true);
      expect(size).toBeGreaterThanOrEqual(8);
      expect(size).toBeLessThanOrEqual(256);
    }
    // The same seed reproduces the run exactly; another seed draws other batches.
    expect(again).toEqual(first);
    expect(otherSeed?.reports.map((r) => r.batchSize)).not.toEqual(sizes);
    // As the loss falls, ξ/L rises and the batches grow above bsMin.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(sizes.slice(-50))).toBeGreaterThan(12);
    const losses = first?.reports.map((r) => r.loss) ?? [];
    expect(mean(losses.slice(-50))).toBeLessThan((losses[0] as number) / 5);
    expect(first?.reports.at(-1)?.examplesSeen).toBe(sizes.reduce((a, b) => a + b, 0));
  });

  it('resumes exactly from a JSON round trip of its state (encodeState → stringify → parse → decodeState)', async () => {
    const whole = await compile();
    const uninterrupted = await run(whole, await algorithm().init(whole, { seed: 9 }), 30);

    const firstPart = await compile();
    const head = await run(firstPart, await algorithm().init(firstPart, { seed: 9 }), 12);
    const savedState = JSON.stringify(await encodeState(firstPart.ops, head.state));
    const savedParameters = JSON.stringify((await firstPart.readParameters()).map((p) => Array.from(p)));

    const resumed = await compile();
    resumed.writeParameters((JSON.parse(savedParameters) as number[][]).map((p) => Float32Array.from(p)));
    const tail = await run(resumed, decodeState(resumed.ops, JSON.parse(savedState)) as AlgorithmState, 18);

    expect([...head.reports, ...tail.reports]).toEqual(uninterrupted.reports);
    expect(tail.state).toEqual(uninterrupted.state);
    expect(await resumed.readParameters()).toEqual(await whole.readParameters());
  });
});

describe("with core's train()", () => {
  it('trains, reports CABS fields and resumes from a JSON checkpoint', async () => {
    const model = await compile();
    const full = await train(model, algorithm(), { steps: 40, seed: 2, test: dataset });
    expect(full.steps).toBe(40);
    expect(full.trace[0]?.batchSize).toBe(8);
    expect(full.examplesSeen).toBe(full.trace.reduce((s, r) => s + r.batchSize, 0));
    full.trace.slice(1).forEach((r, i) => expect(r.batchSize).toBe(full.trace[i]?.nextBatchSize));
    expect(full.final?.accuracy).toBeGreaterThan(0.8);

    const half = await train(await compile(), algorithm(), { steps: 15, seed: 2 });
    const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint()));
    const resumedModel = await compile();
    const rest = await train(resumedModel, algorithm(), { steps: 40, seed: 2, resume: checkpoint });
    expect(rest.trace).toEqual(full.trace);
    expect(await resumedModel.readParameters()).toEqual(await model.readParameters());
  });

  it('stops with a TrainingError carrying the NonFiniteError and the last good checkpoint', async () => {
    // C1's problem with one target NaN: every full batch has a NaN loss.
    const model = leastSquaresModel({
      X: [
        [1, 0],
        [0, 1],
      ],
      y: [1, Number.NaN],
      w: [0, 0],
    });
    const error = await train(model, cabs({ learningRate: 0.1, bsMin: 2 }), { steps: 5 }).catch((e: unknown) => e);
    expect(TrainingError.isInstance(error)).toBe(true);
    const failure = error as TrainingError<{ step: number }>;
    expect(NonFiniteError.isInstance(failure.cause)).toBe(true);
    expect((failure.cause as NonFiniteError).quantity).toBe('loss');
    expect(failure.step).toBe(1);
    expect(failure.checkpoint.step).toBe(0);
    expect(Array.from(model.parameters[0]?.data ?? [])).toEqual([0, 0]);
  });
});
