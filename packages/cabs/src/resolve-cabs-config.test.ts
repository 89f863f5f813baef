import { InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type CabsOptions, resolveCabsConfig } from './resolve-cabs-config';

describe('resolveCabsConfig', () => {
  it('applies the defaults of README “Defaults”', () => {
    expect(resolveCabsConfig({ learningRate: 0.1 })).toEqual({
      learningRate: 0.1,
      bsMin: 16,
      bsMax: 2048,
      initialBatchSize: 16,
      emaDecay: 0.95,
      eps: 0,
      c: 1,
      fidelity: 'exact',
    });
    expect(
      resolveCabsConfig({ learningRate: 1, bsMin: 2, bsMax: 2, emaDecay: 0, fidelity: 'reference' }),
    ).toMatchObject({ bsMin: 2, bsMax: 2, initialBatchSize: 2, emaDecay: 0, fidelity: 'reference' });
  });

  const cases: [string, unknown, string][] = [
    ['missing learningRate', {}, 'cabs: learningRate must be a finite number > 0, got undefined'],
    ['zero learningRate', { learningRate: 0 }, 'cabs: learningRate must be a finite number > 0, got 0'],
    ['negative learningRate', { learningRate: -0.1 }, 'cabs: learningRate must be a finite number > 0, got -0.1'],
    [
      'infinite learningRate',
      { learningRate: Number.POSITIVE_INFINITY },
      'cabs: learningRate must be a finite number > 0, got Infinity',
    ],
    ['bsMin 1', { learningRate: 0.1, bsMin: 1 }, 'cabs: bsMin must be an integer in [2, bsMax], got 1'],
    ['fractional bsMin', { learningRate: 0.1, bsMin: 2.5 }, 'cabs: bsMin must be an integer in [2, bsMax], got 2.5'],
    ['bsMax below bsMin', { learningRate: 0.1, bsMax: 8 }, 'cabs: bsMax must be an integer ≥ bsMin, got 8'],
    [
      'bsMax below a given bsMin',
      { learningRate: 0.1, bsMin: 32, bsMax: 31 },
      'cabs: bsMax must be an integer ≥ bsMin, got 31',
    ],
    ['string bsMax', { learningRate: 0.1, bsMax: '64' }, 'cabs: bsMax must be an integer ≥ bsMin, got "64"'],
    [
      'initialBatchSize below bsMin',
      { learningRate: 0.1, initialBatchSize: 8 },
      'cabs: initialBatchSize must be an integer in [bsMin, bsMax], got 8',
    ],
    [
      'initialBatchSize above bsMax',
      { learningRate: 0.1, bsMax: 64, initialBatchSize: 65 },
      'cabs: initialBatchSize must be an integer in [bsMin, bsMax], got 65',
    ],
    ['emaDecay 1', { learningRate: 0.1, emaDecay: 1 }, 'cabs: emaDecay must be a finite number in [0, 1), got 1'],
    [
      'negative emaDecay',
      { learningRate: 0.1, emaDecay: -0.5 },
      'cabs: emaDecay must be a finite number in [0, 1), got -0.5',
    ],
    ['negative eps', { learningRate: 0.1, eps: -1e-8 }, 'cabs: eps must be a finite number ≥ 0, got -1e-8'],
    ['NaN eps', { learningRate: 0.1, eps: Number.NaN }, 'cabs: eps must be a finite number ≥ 0, got NaN'],
    ['c = 0', { learningRate: 0.1, c: 0 }, 'cabs: c must be a finite number > 0, got 0'],
    [
      'unknown fidelity',
      { learningRate: 0.1, fidelity: 'approx' },
      "cabs: fidelity must be one of 'exact' | 'reference', got \"approx\"",
    ],
    [
      'unknown option',
      { lr: 0.1 },
      'cabs: options must be made of learningRate, bsMin, bsMax, initialBatchSize, emaDecay, eps, c, fidelity, fused, got "lr"',
    ],
    ['no options', undefined, 'cabs: options must be an object, got undefined'],
  ];

  it.each(cases)('%s', (_, options, message) => {
    let error: unknown;
    try {
      resolveCabsConfig(options as CabsOptions);
    } catch (e) {
      error = e;
    }
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});
