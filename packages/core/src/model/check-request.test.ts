import { describe, expect, it } from 'vitest';
import type { Capability } from './capability';
import { resolveGradientVariance } from './check-request';
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
