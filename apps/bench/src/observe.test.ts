/**
 * What the bench keeps from the algorithms' own reports, on real short runs (backend-js, three
 * Gaussian blobs): LABPAL's windows with the cap (growing after clips in `reference` mode only),
 * PAL's step sizes per call, Arbiter's decisions with candidates and mixture weights.
 */
import { arbiter } from '@abs/arbiter';
import { jsBackend } from '@abs/backend-js';
import { type Algorithm, type Backend, createRng, type Dataset, mlp } from '@abs/core';
import { labpal, pal } from '@abs/parabola-ls';
import { describe, expect, it } from 'vitest';
import type { ReadyBackend } from './context';
import { type Observer, observeArbiter, observeLabpal, observePal } from './observe';
import { decisionTables, suiteCharts } from './report/html-report';
import type { BatchSizeDecisionEvent, LineSearchEvent } from './results';
import { runExperiment } from './run-experiment';

function blobs(size: number, seed: number): Dataset {
  const rng = createRng(seed);
  const centres = [
    [2, 0, 0, 1],
    [-2, 1, 0, 0],
    [0, -2, 2, 0],
  ];
  const labels = Int32Array.from({ length: size }, (_, i) => i % 3);
  const features = Float32Array.from(
    { length: size * 4 },
    (_, k) => (centres[labels[Math.floor(k / 4)] as number]?.[k % 4] as number) + 0.7 * rng.nextNormal(),
  );
  return { name: 'blobs', size, featureShape: [4], features, labels, numClasses: 3 };
}

const js: ReadyBackend = { name: 'js', backend: jsBackend() as Backend<unknown>, activate: async () => {} };
const data = { name: 'blobs', train: blobs(200, 42), test: blobs(60, 7) };

const run = (algorithm: () => Algorithm, steps: number, observe: Observer) =>
  runExperiment(
    js,
    { suite: 't', label: 't', algorithm, dataset: data, spec: mlp([4, 8, 3]), seed: 1, budget: { steps }, observe },
    { quiet: true },
  );

describe('LABPAL windows in the run events', () => {
  // Windows of 2 calls re-measured after 3 updates; a cap of 1e-3 is far below any fitted minimum here, so every window clips.
  const options = { batchSize: 8, approxBatches: 2, reuseSteps: 3, maxStepSize: 1e-3, untrustedUpdates: 100 } as const;

  it('reference: the cap of each window is the previous cap times α = 1.8 after a clip', async () => {
    const record = await run(() => labpal({ ...options, fidelity: 'reference' }), 30, observeLabpal('NSGD'));
    const windows = (record.events ?? []) as LineSearchEvent[];
    expect(windows.length).toBeGreaterThanOrEqual(4);
    expect(windows[0]).toMatchObject({ kind: 'line-search', maxStepSize: 1e-3 });
    for (let i = 1; i < windows.length; i++) {
      const before = windows[i - 1] as LineSearchEvent;
      const expected = before.clipped ? before.maxStepSize * 1.8 : before.maxStepSize;
      expect((windows[i] as LineSearchEvent).maxStepSize).toBeCloseTo(expected, 12);
    }
    expect(windows.filter((w) => w.clipped).length).toBeGreaterThanOrEqual(3);
    // s̄ per call in the trace: the accepted window's α·cap from its end until the next one.
    const firstEnd = windows[0] as LineSearchEvent;
    const after = record.trace.find((t) => t.step === firstEnd.step);
    expect(after?.stepSize).toBeCloseTo(1.8e-3, 12);
    expect(record.trace[0]?.stepSize).toBeNull();
    // The report plots the step size and the windows, and lists every window.
    expect(suiteCharts('s', [record]).map((c) => c.file)).toEqual(
      expect.arrayContaining(['s-step-size.svg', 's-labpal-windows.svg']),
    );
    expect(decisionTables([record]).match(/<tr><td>t s1<\/td>/g)).toHaveLength(windows.length);
  });

  it('exact: every window clips to the configured cap, which stays put', async () => {
    const record = await run(() => labpal(options), 30, observeLabpal('SGD'));
    const windows = (record.events ?? []) as LineSearchEvent[];
    expect(windows.length).toBeGreaterThanOrEqual(4);
    expect(windows.every((w) => w.maxStepSize === 1e-3 && w.clipped && w.accepted)).toBe(true);
    // SGD mode traces λ̄ = s/‖d‖, not s̄.
    const sgd = record.trace.at(-1);
    expect(sgd?.stepSize).toBe(sgd?.learningRate);
    expect(sgd?.stepSize).not.toBeCloseTo(1.8e-3, 6);
  });
});

describe('PAL step sizes in the trace', () => {
  it('records s and its raw fitted step per call', async () => {
    const record = await run(() => pal({ batchSize: 8, maxStepSize: 100 }), 5, observePal);
    expect(record.trace).toHaveLength(5);
    for (const t of record.trace) {
      expect(t.stepSize).toBeGreaterThan(0);
      // Convex lines here: s = α·raw with α = 1/0.6, below the raised clip.
      expect(t.stepSize).toBeCloseTo((t.rawStep as number) / 0.6, 9);
    }
    expect(record.events).toEqual([]);
  });
});

describe('Arbiter decisions in the run events', () => {
  it('records each epoch end: the next batch size, the candidates and their mixture weights', async () => {
    const small = { sMin: 2, sMax: 32, initialBatchSize: 16, phiLr: 1e-3, alphaLr: 1e-2, warmupLr: 1e-2 };
    const record = await run(() => arbiter(small), 25, observeArbiter);
    const decisions = (record.events ?? []) as BatchSizeDecisionEvent[];
    // 160 training examples at B = 16: epoch 0 ends at step 10, and the next one uses the decided size.
    expect(decisions[0]).toMatchObject({ kind: 'batch-size-decision', step: 10, epoch: 0 });
    expect(decisions.length).toBeGreaterThanOrEqual(2);
    for (const d of decisions) {
      expect(d.candidates).toContain(d.nextBatchSize);
      expect(d.weights).toHaveLength(d.candidates.length);
      expect(d.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
      const next = record.trace.find((t) => t.step === d.step + 1);
      if (next) expect(next.batchSize).toBeLessThanOrEqual(d.nextBatchSize);
    }
    expect(record.trace[10]?.batchSize).toBe(decisions[0]?.nextBatchSize);
    const table = decisionTables([record]);
    expect(table).toContain('Arbiter batch-size decisions');
    expect(table.match(/<tr><td>t s1<\/td>/g)).toHaveLength(decisions.length);
    const first = decisions[0] as BatchSizeDecisionEvent;
    expect(table).toContain(
      `<td>${first.candidates.map((c, i) => `${c} (${Number(first.weights[i]?.toPrecision(4))})`).join(', ')}</td>`,
    );
  });
});
