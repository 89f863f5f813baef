import { adam, InvalidHyperParameterError, momentum, sgd } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type DbaOptions, resolveDbaConfig } from './resolve-dba-config';

describe('resolveDbaConfig', () => {
  it('applies the defaults of README “Defaults”', () => {
    const config = resolveDbaConfig();
    expect({ ...config, optimizer: config.optimizer.name }).toEqual({
      batchSize: 64,
      metric: 'varmean',
      mode: 'threshold',
      tau: 0.5,
      minSubset: null,
      update: 'mean',
      scope: 'layer',
      optimizer: 'adam',
    });
    expect(config.optimizer.config.learningRate).toBe(1e-3);
  });

  it('keeps valid choices; argmin mode is threshold with τ = 0', () => {
    const optimizer = momentum({ learningRate: 0.1 });
    const config = resolveDbaConfig({
      batchSize: 2,
      metric: 'nsr',
      mode: 'argmin',
      minSubset: 2,
      update: 'sumOverN',
      scope: 'global',
      optimizer,
    });
    expect(config).toEqual({
      batchSize: 2,
      metric: 'nsr',
      mode: 'argmin',
      tau: 0,
      minSubset: 2,
      update: 'sumOverN',
      scope: 'global',
      optimizer,
    });
    expect(resolveDbaConfig({ tau: 0, minSubset: 1, optimizer: sgd({ learningRate: 1 }) }).tau).toBe(0);
  });

  it.each<[DbaOptions, string]>([
    [{ batchSize: 1 }, 'dba: batchSize must be an integer ≥ 2, got 1'],
    [{ batchSize: 2.5 }, 'dba: batchSize must be an integer ≥ 2, got 2.5'],
    [{ metric: 'mean' as never }, "dba: metric must be one of 'varmean' | 'nsr' | 'var', got \"mean\""],
    [{ mode: 'greedy' as never }, "dba: mode must be one of 'threshold' | 'argmin', got \"greedy\""],
    [{ tau: 1 }, 'dba: tau must be a finite number in [0, 1), got 1'],
    [{ tau: -0.1 }, 'dba: tau must be a finite number in [0, 1), got -0.1'],
    [{ mode: 'argmin', tau: 0.5 }, "dba: tau must be unset in mode 'argmin' (τ applies to 'threshold' only), got 0.5"],
    [{ minSubset: 0 }, 'dba: minSubset must be an integer in [1, batchSize], got 0'],
    [{ batchSize: 8, minSubset: 9 }, 'dba: minSubset must be an integer in [1, batchSize], got 9'],
    // The issue spelled it 'sum-over-N'; the spec's 'sumOverN' is the accepted spelling.
    [{ update: 'sum-over-N' as never }, "dba: update must be one of 'mean' | 'sumOverN', got \"sum-over-N\""],
    [{ scope: 'network' as never }, "dba: scope must be one of 'layer' | 'global', got \"network\""],
    [
      { optimizer: { learningRate: 0.1 } as never },
      'dba: optimizer must be an optimizer from @abs/core (sgd, momentum, adam), got {"learningRate":0.1}',
    ],
    [
      { base: adam() } as never,
      'dba: options must be named batchSize, metric, mode, tau, minSubset, update, scope or optimizer, got "base"',
    ],
    [null as never, 'dba: options must be an object, got null'],
  ])('rejects %s', (options, message) => {
    let error: unknown;
    try {
      resolveDbaConfig(options);
    } catch (e) {
      error = e;
    }
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });

  it("rejects metric 'rob' and says why", () => {
    expect(() => resolveDbaConfig({ metric: 'rob' })).toThrow(
      "dba: metric must be one of 'varmean' | 'nsr' | 'var' ('rob' needs materialised per-example gradients, " +
        'which no abs backend provides), got "rob"',
    );
  });
});
