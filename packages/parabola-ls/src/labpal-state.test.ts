/**
 * LABPAL's state and bookkeeping (README “Measurement”, “Training call”, “API”): exact resume
 * from a JSON round trip at any call (mid-window, mid-accumulation, with momentum and
 * averaging), common random numbers at the probes, accumulation over T_b batches, averaging
 * after U in a run (L5), and no tensor leaks.
 */
import { type EvaluateRequest, encodeState, type HostTensor, type Model } from '@abs/core';
import { createMockModel } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { lossModel, quadratic, relative, resumedFrom, runCalls } from './__fixtures__/line-models';
import { labpal } from './labpal';
import type { LabpalOptions } from './resolve-labpal-config';

/** ℓ_i(θ) = ½‖θ − y_i‖² over 12 examples: batches matter, so the stored indices do too. */
function regression(): Model<HostTensor> {
  const targets = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
  return createMockModel({
    shapes: [[2]],
    initial: [Float32Array.of(1.5, -1)],
    size: 12,
    perExample: (i, [w]) => {
      const [y0, y1] = targets[i] as [number, number];
      const [w0, w1] = w as Float64Array;
      const r0 = (w0 as number) - y0;
      const r1 = (w1 as number) - y1;
      return { loss: 0.5 * (r0 ** 2 + r1 ** 2), gradient: [[r0, r1]] };
    },
  });
}

const busy: LabpalOptions = {
  batchSize: 2,
  momentum: 0.5,
  reuseSteps: 6,
  approxBatches: 3,
  untrustedUpdates: 2,
  averagingWindow: 3,
  batchSizeSchedule: [
    [0, 1],
    [20, 2],
    [45, 3],
  ],
  noiseFactor: 1,
  normGuard: [0, 100],
  // Low enough that windows clip, so `reference` runs grow the cap and resume must carry it.
  maxStepSize: 0.3,
};

describe('resume', () => {
  it.each(['NSGD', 'SGD'] as const)(
    '%s: a run resumed from JSON at any call reproduces the uninterrupted one',
    async (mode) => {
      for (const fidelity of ['exact', 'reference'] as const) {
        const algorithm = labpal({ ...busy, mode, fidelity });
        const whole = await runCalls(regression(), algorithm, 70);
        const phases = new Set(whole.reports.map((r) => `${r.phase}${r.accumulation}`));
        expect(phases).toEqual(new Set(['measure1', 'train1', 'measure2', 'train2', 'measure3', 'train3']));
        expect(whole.reports.some((r) => r.measurement?.accepted && r.updates > 3)).toBe(true);
        const grown = (whole.reports.at(-1)?.maxStepSize as number) > 0.3;
        expect(grown).toBe(fidelity === 'reference');
        for (const cut of [4, 21, 24, 33, 48, 61]) {
          const model = regression();
          const first = await runCalls(model, algorithm, cut);
          const json = JSON.parse(
            JSON.stringify({
              parameters: await model.readParameters(),
              state: await encodeState(model.ops, first.state),
            }),
          );
          const restored = regression();
          restored.writeParameters([Float32Array.from(Object.values(json.parameters[0]) as number[])]);
          const rest = await runCalls(restored, algorithm, 70 - cut, resumedFrom(restored, json.state));
          expect(rest.reports).toEqual(whole.reports.slice(cut));
          expect(rest.thetas).toEqual(whole.thetas.slice(cut));
        }
      }
    },
  );
});

describe('measurement bookkeeping', () => {
  it('probes re-evaluate exactly the window’s stored batches (common random numbers)', async () => {
    const base = regression();
    const calls: { indices: number[]; probe: boolean }[] = [];
    const spied: Model<HostTensor> = Object.assign(Object.create(base), {
      evaluate: (batch: Int32Array, request: EvaluateRequest<HostTensor> = {}) => {
        calls.push({ indices: Array.from(batch), probe: request.parameters !== undefined });
        return base.evaluate(batch, request);
      },
    });
    await runCalls(spied, labpal({ batchSize: 2, approxBatches: 4, normGuard: [0, 100] }), 4);
    const stored = calls.filter((c) => !c.probe).map((c) => c.indices);
    const probed = calls.filter((c) => c.probe).map((c) => c.indices);
    expect(stored).toHaveLength(4);
    expect(probed).toEqual([...stored, ...stored]); // θ0 + h·u, then θ0 + μ·u
    expect(new Set(stored.flat()).size).toBe(8); // fresh examples within the epoch
  });

  it('accumulates T_b batches per update and reports batchSize = B·T_b', async () => {
    const options = { batchSize: 2, approxBatches: 2, batchSizeSchedule: [[0, 3]] as const, noiseFactor: 1 };
    const { reports, thetas } = await runCalls(lossModel([0.3], quadratic([1])), labpal(options), 12);
    // Window of n_a·T_b = 6 calls: 3 gradient calls, 3 forward-only; then updates every 3 calls.
    expect(reports[5]).toMatchObject({ phase: 'measure', window: { call: 6, length: 6 }, forwardPasses: 6 + 12 });
    expect(reports.slice(6).map((r) => r.updates)).toEqual([0, 0, 1, 1, 1, 2]);
    expect(reports.every((r) => r.batchSize === 6 && r.accumulation === 3)).toBe(true);
    expect(thetas[6]).toEqual(thetas[5]);
    expect(thetas[7]).toEqual(thetas[5]);
    expect(thetas[8]).not.toEqual(thetas[5]);
    expect(reports[8]?.accumulatedLoss).toBeCloseTo(reports[8]?.loss as number, 12);
  });

  it('L5 in a run: windows after U updates average s and λ over the last W', async () => {
    // Exact NSGD on ½θ², K = 1, U = 0: each window measures s = 1.8·|θ0| and λ = 1.8.
    // W1 (updates −1) θ0 = 0.3 → s = 0.54, θ = −0.24; W2 (updates 0, untrusted) s = 0.432,
    // θ = 0.192; W3 (updates 1 > U) s̄ = 0.3456, θ = −0.1536; W4 s̄ = mean(0.3456, 0.27648).
    const algorithm = labpal({ batchSize: 2, reuseSteps: 1, untrustedUpdates: 0, averagingWindow: 25 });
    const { reports, thetas } = await runCalls(lossModel([0.3], quadratic([1])), algorithm, 40);
    const stepSizes = [9, 19, 29, 39].map((k) => reports[k]?.stepSize as number);
    [0.54, 0.432, 0.3456, (0.3456 + 0.27648) / 2].forEach((s, i) =>
      expect(relative(stepSizes[i] as number, s)).toBeLessThan(1e-6),
    );
    expect(relative(reports[39]?.measurement?.s as number, 0.27648)).toBeLessThan(1e-6);
    expect(relative(thetas[39]?.[0] as number, -0.1536 + 0.31104)).toBeLessThan(1e-6);
  });
});

/** Counts live tensors: everything made by `ops` (fused kernels included) or returned by `evaluate`, minus disposals. */
function tracked(base: Model<HostTensor>) {
  const live = new Set<HostTensor>(base.parameters);
  const keep = new Set(['read', 'shape', 'isTensor', 'sum', 'dot', 'dispose', 'specificationVersion', 'backend']);
  const ops = new Proxy(base.ops, {
    get(target, key: string) {
      const value = Reflect.get(target, key);
      if (key === 'dispose') return (x: HostTensor) => live.delete(x);
      if (keep.has(key) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const out = (value as (...a: unknown[]) => unknown).apply(target, args);
        // The fused kernels resolve to an object holding their new tensor.
        if (out instanceof Promise) {
          return out.then((r) => {
            for (const t of reachable(r)) live.add(t as HostTensor);
            return r;
          });
        }
        live.add(out as HostTensor);
        return out;
      };
    },
  });
  const model: Model<HostTensor> = Object.assign(Object.create(base), {
    ops,
    evaluate: async (batch: Int32Array, request?: EvaluateRequest<HostTensor>) => {
      const result = await base.evaluate(batch, request);
      for (const t of result.gradient ?? []) live.add(t);
      return result;
    },
    setParameters: (next: readonly HostTensor[]) => {
      for (const p of base.parameters) live.delete(p);
      base.setParameters(next);
    },
  });
  return { model, live };
}

function reachable(value: unknown, out = new Set<unknown>()): Set<unknown> {
  if (value && typeof value === 'object' && 'data' in value && 'shape' in value) out.add(value);
  else if (Array.isArray(value)) for (const v of value) reachable(v, out);
  else if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) reachable(v, out);
  }
  return out;
}

describe('tensor ownership', () => {
  it.each(['exact', 'reference'] as const)(
    '%s: after every call the live tensors are exactly the state’s and the parameters',
    async (fidelity) => {
      const { model, live } = tracked(regression());
      const algorithm = labpal({ ...busy, fidelity });
      let state = await algorithm.init(model, { seed: 3 });
      for (let k = 0; k < 60; k++) {
        state = (await algorithm.step(model, state)).state;
        const expected = reachable(state);
        for (const p of model.parameters) expected.add(p);
        expect(live.size, `call ${k}`).toBe(expected.size);
        expect(
          [...live].every((t) => expected.has(t)),
          `call ${k}`,
        ).toBe(true);
      }
    },
  );
});
