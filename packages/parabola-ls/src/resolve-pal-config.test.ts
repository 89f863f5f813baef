import { InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { lossModel, quadratic } from './__fixtures__/line-models';
import { pal } from './pal';
import { type PalOptions, resolvePalConfig } from './resolve-pal-config';

describe('resolvePalConfig', () => {
  it('applies the PyTorch defaults of Appendix A.2', () => {
    expect(resolvePalConfig()).toEqual({
      batchSize: 128,
      measuringStep: 1,
      maxStepSize: 3.16,
      directionFactor: 0.4,
      updateStepAdaptation: 1 / 0.6,
      epsilon: 1e-10,
      exactDirectionalDerivative: true,
      fidelity: 'exact',
    });
  });

  it.each([
    [null, 'pal: options must be an object, got null'],
    [
      { mu: 1 },
      'pal: options must be named batchSize, measuringStep, maxStepSize, directionFactor, updateStepAdaptation, ' +
        'epsilon, exactDirectionalDerivative or fidelity, got "mu"',
    ],
    [{ batchSize: 0 }, 'pal: batchSize must be an integer ≥ 1, got 0'],
    [{ measuringStep: 0 }, 'pal: measuringStep must be a finite number > 0, got 0'],
    [{ maxStepSize: -1 }, 'pal: maxStepSize must be a finite number > 0, got -1'],
    [{ directionFactor: 1 }, 'pal: directionFactor must be a finite number in [0, 1), got 1'],
    [{ updateStepAdaptation: 0 }, 'pal: updateStepAdaptation must be a finite number > 0, got 0'],
    [{ epsilon: 0 }, 'pal: epsilon must be a finite number > 0, got 0'],
    [{ exactDirectionalDerivative: 1 }, 'pal: exactDirectionalDerivative must be a boolean, got 1'],
    [{ fidelity: 'tf' }, `pal: fidelity must be one of 'exact' | 'reference', got "tf"`],
  ])('rejects %j', (options, message) => {
    const run = () => resolvePalConfig(options as PalOptions);
    expect(run).toThrow(message);
    expect(() => pal(options as PalOptions)).toThrow(message);
    try {
      run();
    } catch (error) {
      expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    }
  });

  it('rejects a batch larger than the dataset at init', async () => {
    await expect(pal({ batchSize: 5 }).init(lossModel([0.3], quadratic([1])), { seed: 0 })).rejects.toThrow(
      'pal: batchSize must be an integer ≤ the dataset size 4, got 5',
    );
  });
});
