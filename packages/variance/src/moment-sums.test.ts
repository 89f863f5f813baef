import { jsBackend } from '@abs/backend-js';
import { createHostTensorOps, type HostTensor, type Model, mlp } from '@abs/core';
import { conformanceDataset, createMockModel, createTrackingOps, maxRelativeDifference } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { addMomentSums, disposeMoments, momentsFromSums, toMomentSums } from './moment-sums';
import { varianceTrace } from './variance-trace';

async function evaluateMoments(model: Model<HostTensor>, batch: number[]) {
  const r = await model.evaluate(batch, { gradient: true, secondMoment: true });
  return { count: r.batchSize, loss: r.loss, mean: r.gradient ?? [], secondMoment: r.secondMoment ?? [] };
}

const data = (list: readonly HostTensor[]) => list.map((t) => Array.from(t.data));

describe('mergeable moment sums', () => {
  it('two workers adding their sums get exactly the union batch (dyadic data, bitwise)', async () => {
    // ℓ_i = ½‖w − y_i‖² at w = 0: g_i = −y_i. Small integers and power-of-two counts keep
    // every mean, product and sum exact in float32, so equality is bitwise.
    const y = [
      [1, -2, 3],
      [0, 4, -1],
      [2, 2, 2],
      [-3, 1, 0],
      [5, -1, 1],
      [1, 0, -4],
      [-2, -2, 6],
      [3, 3, -3],
    ];
    const model = createMockModel({
      shapes: [[2], [1]],
      initial: [new Float32Array(2), new Float32Array(1)],
      size: y.length,
      perExample: (i, [a, b]) => {
        const t = y[i] as number[];
        const r = [
          (a?.[0] as number) - (t[0] as number),
          (a?.[1] as number) - (t[1] as number),
          (b?.[0] as number) - (t[2] as number),
        ];
        return { loss: 0.5 * r.reduce((s, v) => s + v * v, 0), gradient: [r.slice(0, 2), r.slice(2)] };
      },
    });
    const ops = model.ops;
    const workerA = toMomentSums(ops, await evaluateMoments(model, [0, 1, 2, 3]));
    const workerB = toMomentSums(ops, await evaluateMoments(model, [4, 5, 6, 7]));
    const merged = momentsFromSums(ops, addMomentSums(ops, [workerA, workerB]));
    const union = await evaluateMoments(model, [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(merged.count).toBe(8);
    expect(merged.loss).toBe(union.loss);
    expect(data(merged.mean)).toEqual(data(union.mean));
    expect(data(merged.secondMoment)).toEqual(data(union.secondMoment));
    expect(await varianceTrace(ops, merged)).toEqual(await varianceTrace(ops, union));
  });

  it('unequal workers on a real network agree with the union to float32 rounding', async () => {
    const dataset = conformanceDataset({ size: 12, width: 4, classes: 3, seed: 5 });
    const model = await jsBackend().compile(mlp([4, 5, 3], { activation: 'tanh' }), dataset, { seed: 3 });
    const ops = model.ops;
    const parts = [
      [0, 1, 2],
      [3, 4, 5, 6, 7],
      [8, 9, 10, 11],
    ];
    const sums = await Promise.all(parts.map(async (b) => toMomentSums(ops, await evaluateMoments(model, b))));
    const merged = momentsFromSums(ops, addMomentSums(ops, sums));
    const union = await evaluateMoments(model, parts.flat());
    expect(merged.loss).toBeCloseTo(union.loss, 12);
    merged.mean.forEach((t, p) => expect(maxRelativeDifference(t.data, union.mean[p]?.data ?? [])).toBeLessThan(1e-6));
    merged.secondMoment.forEach((t, p) =>
      expect(maxRelativeDifference(t.data, union.secondMoment[p]?.data ?? [])).toBeLessThan(1e-6),
    );
    const a = await varianceTrace(ops, merged);
    const b = await varianceTrace(ops, union);
    expect(Math.abs(a.total - b.total) / b.total).toBeLessThan(1e-5);
  });

  it('keeps lossSum only when every part tracks it, leaves the parts alone and leaks nothing', () => {
    const ops = createTrackingOps();
    const part = (count: number, loss: number | undefined, value: number) => {
      const mean = [ops.fromArray(Float32Array.from([value]), [1])];
      const secondMoment = [ops.fromArray(Float32Array.from([value * value]), [1])];
      return toMomentSums(ops, { count, mean, secondMoment, ...(loss === undefined ? {} : { loss }) });
    };
    const a = part(2, 1.5, 1);
    const b = part(6, 0.5, 3);
    const live = ops.live();
    const both = addMomentSums(ops, [a, b]);
    expect(both.count).toBe(8);
    expect(both.lossSum).toBe(6); // 2·1.5 + 6·0.5
    expect(Array.from(both.gradientSum[0]?.data ?? [])).toEqual([20]); // 2·1 + 6·3
    expect(Array.from(a.gradientSum[0]?.data ?? [])).toEqual([2]);
    expect(addMomentSums(ops, [a, part(1, undefined, 0)]).lossSum).toBeUndefined();
    disposeMoments(ops, both);
    // remaining: the loss-less part (2 inputs + 2 sums) and its merge with `a` (2 sums)
    expect(ops.live()).toBe(live + 4 + 2);
    expect(() => addMomentSums(ops, [])).toThrow('addMomentSums: parts is empty');
    expect(() => momentsFromSums(ops, { count: 0, gradientSum: [], squaredGradientSum: [] })).toThrow(
      'momentsFromSums: count must be ≥ 1 to form means, got 0',
    );
    expect(() => addMomentSums(ops, [a, { count: 1, gradientSum: [], squaredGradientSum: [] }])).toThrow(
      'addMomentSums: tensors per part: expected shape [1], got [0]',
    );
  });

  it('works on plain host ops as well', async () => {
    const ops = createHostTensorOps();
    const sums = toMomentSums(ops, {
      count: 4,
      mean: [ops.fromArray(Float32Array.from([1, 0.75]), [2])],
      secondMoment: [ops.fromArray(Float32Array.from([1.5, 0.75]), [2])],
    });
    expect(Array.from(sums.gradientSum[0]?.data ?? [])).toEqual([4, 3]);
    expect((await varianceTrace(ops, momentsFromSums(ops, sums))).total).toBe(0.6875);
  });
});
