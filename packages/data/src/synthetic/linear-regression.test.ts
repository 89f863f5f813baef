import { InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { linearRegression } from './linear-regression';

describe('linearRegression', () => {
  it('has the documented shapes and is a valid target-only dataset', () => {
    const data = linearRegression({ size: 50, dimension: 3, noise: 0.1, seed: 1 });
    expect([data.name, data.size, data.featureShape, data.targetSize]).toEqual(['linear-regression', 50, [3], 1]);
    expect([data.features.length, data.targets.length, data.weights.length]).toEqual([150, 50, 3]);
    expect(data.labels).toBeUndefined();
    expect(linearRegression({ size: 5 }).featureShape).toEqual([8]);
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = linearRegression({ size: 20, dimension: 4, seed: 7 });
    const b = linearRegression({ size: 20, dimension: 4, seed: 7 });
    const c = linearRegression({ size: 20, dimension: 4, seed: 8 });
    expect(b.features).toEqual(a.features);
    expect(b.targets).toEqual(a.targets);
    expect(b.bias).toBe(a.bias);
    expect(c.features).not.toEqual(a.features);
    expect(c.weights).not.toEqual(a.weights);
  });

  it('follows y = w·x + b + noise·ε: residuals have standard deviation ≈ noise', () => {
    const noise = 0.3;
    const { size, features, targets, weights, bias } = linearRegression({ size: 4000, dimension: 5, noise, seed: 2 });
    let squares = 0;
    for (let i = 0; i < size; i++) {
      let y = bias;
      for (let j = 0; j < 5; j++) y += (weights[j] as number) * (features[i * 5 + j] as number);
      squares += ((targets[i] as number) - y) ** 2;
    }
    // The sample std of 4000 N(0, σ²) draws is within σ·(1 ± 3/√(2·4000)) = σ·(1 ± 0.034) with high probability.
    expect(Math.abs(Math.sqrt(squares / size) / noise - 1)).toBeLessThan(0.034);
    // With noise 0 the targets are exactly w·x + b (up to float32 rounding).
    const clean = linearRegression({ size: 10, dimension: 5, noise: 0, seed: 2 });
    const y0 = Array.from(clean.weights).reduce((s, w, j) => s + w * (clean.features[j] as number), clean.bias);
    expect(clean.targets[0]).toBe(Math.fround(y0));
  });

  it('draws weights, features and noise from separate streams: noise changes only the targets', () => {
    const quiet = linearRegression({ size: 30, dimension: 3, noise: 0.1, seed: 4 });
    const loud = linearRegression({ size: 30, dimension: 3, noise: 0.2, seed: 4 });
    const clean = linearRegression({ size: 30, dimension: 3, noise: 0, seed: 4 });
    expect(loud.features).toEqual(quiet.features);
    expect(loud.weights).toEqual(quiet.weights);
    // Same ε in both: (y_loud − y_clean) = 2·(y_quiet − y_clean), up to float32 rounding.
    for (let i = 0; i < 30; i++) {
      const quietNoise = (quiet.targets[i] as number) - (clean.targets[i] as number);
      expect((loud.targets[i] as number) - (clean.targets[i] as number)).toBeCloseTo(2 * quietNoise, 5);
    }
  });

  it.each([
    [{ size: 0 }, 'linearRegression: size must be an integer ≥ 1, got 0'],
    [{ size: 10, dimension: 0 }, 'linearRegression: dimension must be an integer ≥ 1, got 0'],
    [{ size: 10, noise: -0.1 }, 'linearRegression: noise must be a finite number ≥ 0, got -0.1'],
    [{ size: 10, seed: 2 ** 32 }, 'linearRegression: seed must be an integer in [0, 4294967295], got 4294967296'],
  ])('rejects %j', (options, message) => {
    let error: unknown;
    try {
      linearRegression(options);
    } catch (e) {
      error = e;
    }
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
