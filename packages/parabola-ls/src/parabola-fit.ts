/**
 * The 1-D parabola q(s) = a·s² + b·s + L̂(0) through (0, L̂(0)), (h, L̂(h)), (μ, L̂(μ))
 * (README “Parabola fit”). With Δh = L̂(h) − L̂(0), Δμ = L̂(μ) − L̂(0) and
 * D = h·μ·(μ − h):
 * - `exact`: a = (Δμ·h − Δh·μ)/D, b = (Δh·μ² − Δμ·h²)/D, the interpolating parabola;
 * - `reference`: b = D0 = Δh/h and a = (D1 − D0)/(2h) with the non-uniform finite difference
 *   D1 = [h²·L̂(μ) + ((μ−h)² − h²)·L̂(h) − (μ−h)²·L̂(0)] / (h·(μ−h)·μ); on an exact parabola
 *   A s² + B s + C this gives b = B + A·h and a = A/2, so −b/(2a) = 2·s* − h.
 * Everything is float64; the probes are only ≈ 1.77e-4 apart.
 */
import type { Fidelity } from './resolve-labpal-config';

export interface LinePoints {
  /** L̂(0), L̂(h), L̂(μ). */
  readonly l0: number;
  readonly lh: number;
  readonly lmu: number;
  /** h and μ, the distances of the probes from θ0 along u. */
  readonly h: number;
  readonly mu: number;
}

/**
 * @example
 * // f(s) = ½(0.3 − s)², h = 1.77e-4, μ = 0.01
 * const f = (s: number) => 0.5 * (0.3 - s) ** 2;
 * const points = { l0: f(0), lh: f(1.77e-4), lmu: f(0.01), h: 1.77e-4, mu: 0.01 };
 * fitParabola(points, 'exact'); // { a: 0.5, b: -0.3 } (to rounding)
 * fitParabola(points, 'reference'); // { a: 0.25, b: -0.2999115 }
 * @see README “Parabola fit”
 */
export function fitParabola(points: LinePoints, fidelity: Fidelity): { a: number; b: number } {
  const { l0, lh, lmu, h, mu } = points;
  if (fidelity === 'exact') {
    const dh = lh - l0;
    const dmu = lmu - l0;
    const denominator = h * mu * (mu - h);
    return { a: (dmu * h - dh * mu) / denominator, b: (dh * mu * mu - dmu * h * h) / denominator };
  }
  const far = mu - h;
  const d0 = (lh - l0) / h;
  const d1 = (h * h * lmu + (far * far - h * h) * lh - far * far * l0) / (h * far * mu);
  return { a: (d1 - d0) / (2 * h), b: d0 };
}
