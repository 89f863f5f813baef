/**
 * Formula parity for the parabola fit and the step selection (README “Parabola fit”, “Step
 * selection”) on closed-form line losses in float64 (vectors L1, L3, L4).
 */
import { describe, expect, it } from 'vitest';
import { fitParabola } from './parabola-fit';
import { proposeStep } from './step-selection';

const h = 1.77e-4;
const mu = 0.01;
const pointsOf = (line: (s: number) => number) => ({ l0: line(0), lh: line(h), lmu: line(mu), h, mu });
const selection = { maxStepSize: 1, updateStepAdaptation: 1.8, epsilon: 1e-6 };

describe('fitParabola', () => {
  it('L1: on ½(0.3 − s)² exact gives (a, b) = (0.5, −0.3); reference gives (A/2, B + A·h) = (0.25, −0.2999115)', () => {
    const points = pointsOf((s) => 0.5 * (0.3 - s) ** 2);
    const exact = fitParabola(points, 'exact');
    expect(exact.a).toBeCloseTo(0.5, 9);
    expect(exact.b).toBeCloseTo(-0.3, 9);
    const reference = fitParabola(points, 'reference');
    expect(reference.a).toBeCloseTo(0.25, 9);
    expect(reference.b).toBeCloseTo(-0.3 + 0.5 * h, 9); // −0.2999115
    expect(Math.abs(reference.b - -0.2999115)).toBeLessThan(1e-7);
    // reference "minimum" −b/(2a) = 2·s* − h = 0.599823; 1.8× that is 1.07968 (float64 1.0796814).
    const proposal = proposeStep(reference, { ...selection, directionNorm: 0.3 });
    expect(proposal).toMatchObject({ accepted: true });
    if (proposal.accepted) {
      expect(proposal.sRaw).toBeCloseTo(2 * 0.3 - h, 9);
      expect(proposal.s).toBeCloseTo(1.0796814, 7);
      expect(proposal.lambda).toBeCloseTo(1.0796814 / 0.3, 6);
    }
  });

  it('L3: along u, q(s) = 0.04 − 0.4472136 s + 1.7 s²; exact recovers it, reference gives a = 0.85, b = −0.4469127', () => {
    const norm = Math.hypot(0.2, 0.4);
    const line = (s: number) => 0.04 - norm * s + 1.7 * s * s;
    const exact = fitParabola(pointsOf(line), 'exact');
    expect(exact.a).toBeCloseTo(1.7, 8);
    expect(exact.b).toBeCloseTo(-0.4472136, 7);
    expect(-exact.b / (2 * exact.a)).toBeCloseTo(0.1315334, 7);
    const reference = fitParabola(pointsOf(line), 'reference');
    expect(reference.a).toBeCloseTo(0.85, 8);
    expect(reference.b).toBeCloseTo(-0.4469127, 7);
    const proposal = proposeStep(reference, { ...selection, directionNorm: norm });
    expect(proposal).toMatchObject({ accepted: true });
    if (proposal.accepted) {
      expect(proposal.sRaw).toBeCloseTo(0.2628898, 7);
      expect(proposal.s).toBeCloseTo(0.4732017, 7);
      expect(proposal.lambda).toBeCloseTo(1.0581111, 6);
    }
  });

  it('L4: 5 − s² − s is rejected in both modes (reference a ≈ −0.5, b ≈ −1.0002; exact a = −1, b = −1)', () => {
    const points = pointsOf((s) => 5 - s * s - s);
    const reference = fitParabola(points, 'reference');
    expect(reference.a).toBeCloseTo(-0.5, 6);
    expect(reference.b).toBeCloseTo(-1 - h, 6);
    const exact = fitParabola(points, 'exact');
    expect(exact.a).toBeCloseTo(-1, 6);
    expect(exact.b).toBeCloseTo(-1, 6);
    for (const fit of [reference, exact]) {
      expect(proposeStep(fit, { ...selection, directionNorm: 1 })).toMatchObject({ accepted: false });
    }
  });
});
