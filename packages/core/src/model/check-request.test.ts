import { describe, expect, it } from 'vitest';
import type { Capability } from './capability';
import { resolveGradientVariance, resolveSgdStep } from './check-request';
import { batchNorm, dense, sequential } from './model-spec';

const target = (capabilities: Capability[], spec?: ReturnType<typeof sequential>) => ({
  backend: 'test',
  capabilities: new Set(capabilities),
  ...(spec ? { spec } : {}),
});

describe('resolveGradientVariance', () => {
  it('prefers the per-example norms for the exact ξ and falls back to the exact moments', () => {
    const both = target(['perExampleGradientNormSquared', 'secondMoment']);
    expect(resolveGradientVariance(both, {})).toBeUndefined();
    expect(resolveGradientVariance(both, { gradientVariance: true })).toBe('norms');
    expect(resolveGradientVariance(both, { gradientVariance: { fidelity: 'exact' } })).toBe('norms');
    expect(resolveGradientVariance(both, { gradientVariance: { fidelity: 'reference' } })).toBe('reference');
    expect(resolveGradientVariance(target(['secondMoment']), { gradientVariance: true })).toBe('secondMoment');
  });

  it('names what the model lacks, and the layer that limits it', () => {
    expect(() => resolveGradientVariance(target(['loss']), { gradientVariance: true })).toThrow(
      /secondMoment.*gradientVariance/,
    );
    expect(() =>
      resolveGradientVariance(target(['perExampleGradientNormSquared']), {
        gradientVariance: { fidelity: 'reference' },
      }),
    ).toThrow(/secondMoment/);
    const spec = sequential([4], [dense(3), batchNorm(), dense(2)]);
    expect(() => resolveGradientVariance(target(['loss'], spec), { gradientVariance: true })).toThrow(
      /batchNorm1 at layers\[1\]/,
    );
  });

  it('rejects a request that is neither true nor a fidelity', () => {
    for (const bad of [{ fidelity: 'nosuch' }, null, {}]) {
      expect(() => resolveGradientVariance(target(['secondMoment']), { gradientVariance: bad as never })).toThrow(
        /gradientVariance must be true or \{ fidelity/,
      );
    }
  });
});

describe('resolveSgdStep', () => {
  it('checks the learning rate, the weight decay and the normalisation ε', () => {
    expect(resolveSgdStep({ learningRate: 0.1 }, 'm.sgdStep')).toEqual({
      learningRate: 0.1,
      weightDecay: 0,
      normalizeEpsilon: null,
    });
    expect(resolveSgdStep({ learningRate: 0.1, normalize: { epsilon: 1e-8 } }, 'm.sgdStep').normalizeEpsilon).toBe(
      1e-8,
    );
    for (const epsilon of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => resolveSgdStep({ learningRate: 0.1, normalize: { epsilon } }, 'm.sgdStep')).toThrow(
        `m.sgdStep: normalize.epsilon must be a finite number > 0, got ${epsilon}`,
      );
    }
    expect(() => resolveSgdStep({ learningRate: 0.1, normalize: {} as never }, 'm.sgdStep')).toThrow(
      /normalize\.epsilon/,
    );
  });
});
