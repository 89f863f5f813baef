import { InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { labpal } from './labpal';
import { type LabpalOptions, resolveLabpalConfig } from './resolve-labpal-config';

describe('resolveLabpalConfig', () => {
  it('applies the defaults of README “API”', () => {
    expect(resolveLabpalConfig()).toEqual({
      mode: 'NSGD',
      batchSize: 128,
      trainingSetSize: null,
      noiseFactor: null,
      updateStepAdaptation: 1.8,
      momentum: 0,
      reuseSteps: 1000,
      approxBatches: 10,
      batchSizeSchedule: [
        [0, 1],
        [75000, 2],
        [112500, 4],
      ],
      untrustedUpdates: 400,
      averagingWindow: 25,
      probeFar: 0.01,
      probeNear: 1.77e-4,
      maxStepSize: 1,
      epsilon: 1e-6,
      normGuard: [1e-3, 100],
      maxConsecutiveFailures: 10,
      fidelity: 'exact',
    });
  });

  it('exposes the resolved config as JSON on the algorithm', () => {
    const algorithm = labpal({ mode: 'sgd', momentum: 0.9 });
    expect(algorithm.name).toBe('labpal');
    expect(JSON.parse(JSON.stringify(algorithm.config))).toEqual(resolveLabpalConfig({ mode: 'SGD', momentum: 0.9 }));
  });

  it("accepts lowercase modes and normalises them to 'NSGD' / 'SGD'", () => {
    expect(resolveLabpalConfig({ mode: 'sgd' }).mode).toBe('SGD');
    expect(resolveLabpalConfig({ mode: 'nsgd' }).mode).toBe('NSGD');
    expect(resolveLabpalConfig({ batchSizeSchedule: [], normGuard: [0, 5] })).toMatchObject({
      batchSizeSchedule: [],
      normGuard: [0, 5],
    });
  });

  const bad = (options: unknown) => () => resolveLabpalConfig(options as LabpalOptions);
  it.each([
    [null, 'labpal: options must be an object, got null'],
    [
      { learningRate: 0.1 },
      'labpal: options must be named mode, batchSize, trainingSetSize, noiseFactor, updateStepAdaptation, momentum, ' +
        'reuseSteps, approxBatches, batchSizeSchedule, untrustedUpdates, averagingWindow, probeFar, probeNear, ' +
        'maxStepSize, epsilon, normGuard, maxConsecutiveFailures or fidelity, got "learningRate"',
    ],
    [{ mode: 'adam' }, `labpal: mode must be one of 'NSGD' | 'SGD', got "adam"`],
    [{ batchSize: 0 }, 'labpal: batchSize must be an integer ≥ 1, got 0'],
    [{ trainingSetSize: 1.5 }, 'labpal: trainingSetSize must be an integer ≥ 1, got 1.5'],
    [{ noiseFactor: 0 }, 'labpal: noiseFactor must be a finite number > 0, got 0'],
    [{ updateStepAdaptation: -1 }, 'labpal: updateStepAdaptation must be a finite number > 0, got -1'],
    [{ momentum: 1 }, 'labpal: momentum must be a finite number in [0, 1), got 1'],
    [{ reuseSteps: 0 }, 'labpal: reuseSteps must be an integer ≥ 1, got 0'],
    [{ approxBatches: 2.5 }, 'labpal: approxBatches must be an integer ≥ 1, got 2.5'],
    [{ batchSizeSchedule: 5 }, 'labpal: batchSizeSchedule must be an array of [step, multiplier] pairs, got 5'],
    [{ batchSizeSchedule: [[0]] }, 'labpal: batchSizeSchedule[0] must be a [step, multiplier] pair, got [0]'],
    [{ batchSizeSchedule: [[-1, 1]] }, 'labpal: batchSizeSchedule[0][0] must be an integer ≥ 0, got -1'],
    [
      {
        batchSizeSchedule: [
          [10, 1],
          [10, 2],
        ],
      },
      'labpal: batchSizeSchedule[1][0] must be greater than the previous step 10 (ascending, distinct), got 10',
    ],
    [{ batchSizeSchedule: [[0, 0]] }, 'labpal: batchSizeSchedule[0][1] must be an integer ≥ 1, got 0'],
    [{ untrustedUpdates: -1 }, 'labpal: untrustedUpdates must be an integer ≥ 0, got -1'],
    [{ averagingWindow: 0 }, 'labpal: averagingWindow must be an integer ≥ 1, got 0'],
    [{ probeFar: 0 }, 'labpal: probeFar must be a finite number > 0, got 0'],
    [{ probeFar: Number.NaN }, 'labpal: probeFar must be a finite number > 0, got NaN'],
    [{ probeNear: 0.02 }, 'labpal: probeNear must be a finite number in (0, probeFar), got 0.02'],
    [{ probeNear: 0 }, 'labpal: probeNear must be a finite number in (0, probeFar), got 0'],
    [{ maxStepSize: 0 }, 'labpal: maxStepSize must be a finite number > 0, got 0'],
    [{ epsilon: Number.POSITIVE_INFINITY }, 'labpal: epsilon must be a finite number > 0, got Infinity'],
    [{ normGuard: 1 }, 'labpal: normGuard must be a [low, high] pair, got 1'],
    [{ normGuard: [-1, 1] }, 'labpal: normGuard[0] must be a finite number ≥ 0, got -1'],
    [{ normGuard: [1, 1] }, 'labpal: normGuard[1] must be a finite number > normGuard[0], got 1'],
    [{ maxConsecutiveFailures: 0 }, 'labpal: maxConsecutiveFailures must be an integer ≥ 1, got 0'],
    [{ fidelity: 'pytorch' }, `labpal: fidelity must be one of 'exact' | 'reference', got "pytorch"`],
  ])('rejects %j', (options, message) => {
    expect(bad(options)).toThrow(message);
    try {
      bad(options)();
    } catch (error) {
      expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    }
  });
});
