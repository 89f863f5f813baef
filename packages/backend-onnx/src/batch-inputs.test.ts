import { describe, expect, it } from 'vitest';
import { gatherRows, gatherTargets } from './batch-inputs';

describe('batch inputs', () => {
  it('gathers rows in batch order', () => {
    // 3 examples of width 2: rows [0,1], [10,11], [20,21].
    const values = Float32Array.from([0, 1, 10, 11, 20, 21]);
    expect(Array.from(gatherRows(values, Int32Array.from([2, 0, 2]), 2))).toEqual([20, 21, 0, 1, 20, 21]);
  });

  it('one-hot encodes labels, or gathers regression targets for mse', () => {
    const dataset = {
      name: 't',
      size: 2,
      featureShape: [1],
      features: new Float32Array(2),
      labels: Int32Array.from([2, 0]),
      numClasses: 3,
      targets: Float32Array.from([0.5, 1, 1.5, -1, -2, -3]),
      targetSize: 3,
    };
    const batch = Int32Array.from([1, 0]);
    expect(Array.from(gatherTargets(dataset, 'softmax-cross-entropy', batch, 3))).toEqual([1, 0, 0, 0, 0, 1]);
    expect(Array.from(gatherTargets(dataset, 'mse', batch, 3))).toEqual([-1, -2, -3, 0.5, 1, 1.5]);
    const { targets: _t, targetSize: _s, ...labelsOnly } = dataset;
    expect(Array.from(gatherTargets(labelsOnly, 'mse', batch, 3))).toEqual([1, 0, 0, 0, 0, 1]);
  });
});
