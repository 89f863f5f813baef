import { createRng } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { convSecondMoment, sharedParameterSecondMoment } from './conv-second-moment';

describe('weight-shared second moments (fidelity switch)', () => {
  // @abs/cabs README “Test vectors”, C3: one example, a 1×1 conv with one channel over 2
  // spatial positions, x = (1, 2), δ = (1, 1).
  it('C3: weight M exact 9, reference 5; bias M exact 4, reference 2', () => {
    const input = { inputs: [[1, 2]], outputGradients: [[1, 1]], kernelSize: 1 };
    // exact: (x_1δ_1 + x_2δ_2)² = (1 + 2)² = 9;  reference: 1² + 2² = 5
    const exact = convSecondMoment(input, 'exact');
    expect(Array.from(exact.weight)).toEqual([9]);
    // bias: (δ_1 + δ_2)² = 4;  reference: 1 + 1 = 2
    expect(exact.bias).toBe(4);
    const reference = convSecondMoment(input, 'reference');
    expect(Array.from(reference.weight)).toEqual([5]);
    expect(reference.bias).toBe(2);
  });

  it("'exact' equals the mean of squared per-example gradients (the definition)", () => {
    const rng = createRng(11);
    const inputs = Array.from({ length: 3 }, () => Array.from({ length: 6 }, () => rng.nextNormal()));
    const outputGradients = inputs.map(() => Array.from({ length: 4 }, () => rng.nextNormal()));
    const moments = convSecondMoment({ inputs, outputGradients, kernelSize: 3 }, 'exact');
    for (let k = 0; k < 3; k++) {
      // per-example gradient ∂ℓ_i/∂w_k = Σ_p x_{i,p+k} δ_ip, squared and averaged
      const squares = inputs.map((x, i) => {
        const g = (outputGradients[i] as number[]).reduce((s, d, p) => s + (x[p + k] as number) * d, 0);
        return g * g;
      });
      expect(moments.weight[k]).toBeCloseTo(squares.reduce((a, b) => a + b, 0) / 3, 12);
    }
    // 'reference' differs by the dropped cross terms (1/m) Σ_i Σ_{p≠q} c_ip c_iq
    const reference = convSecondMoment({ inputs, outputGradients, kernelSize: 3 }, 'reference');
    const cross =
      outputGradients.reduce((s, d) => s + d.reduce((a, b) => a + b, 0) ** 2 - d.reduce((a, b) => a + b * b, 0), 0) / 3;
    expect(moments.bias - reference.bias).toBeCloseTo(cross, 12);
  });

  it('rejects mismatched shapes and empty input', () => {
    expect(() =>
      convSecondMoment({ inputs: [[1, 2, 3]], outputGradients: [[1, 1, 1]], kernelSize: 2 }, 'exact'),
    ).toThrow('convSecondMoment: outputGradients[0]: expected shape [2], got [3]');
    expect(() => convSecondMoment({ inputs: [[1]], outputGradients: [[1]], kernelSize: 0 }, 'exact')).toThrow(
      'convSecondMoment: kernelSize must be an integer ≥ 1, got 0',
    );
    expect(() => sharedParameterSecondMoment([], 'reference')).toThrow(
      'sharedParameterSecondMoment: needs at least one example',
    );
  });
});
