/**
 * PAL's two-point parabola and step choice (README “PAL”, steps
 * 3, 5, 6): a = (L_μ − L0 − b·μ)/μ² from the loss at 0 and μ and the slope b at 0; then
 * s = α·(−b/(2a)) for a convex line with b < 0, s = μ for a concave or flat one with b < 0,
 * otherwise 0, and s ≤ s_max — clipped after α (LABPAL clips before).
 */

/**
 * @example
 * palCurvature({ loss: 0.045, probeLoss: 0.245, slope: -0.3, distance: 1 }); // 0.5 (P1)
 */
export function palCurvature(points: { loss: number; probeLoss: number; slope: number; distance: number }): number {
  const { loss, probeLoss, slope, distance } = points;
  return (probeLoss - loss - slope * distance) / (distance * distance);
}

/**
 * @example
 * selectPalStep({ a: 0.5, b: -0.3 }, { updateStepAdaptation: 1 / 0.6, measuringStep: 1, maxStepSize: 3.16 }); // 0.5
 * @see README “PAL”
 */
export function selectPalStep(
  fit: { readonly a: number; readonly b: number },
  options: { updateStepAdaptation: number; measuringStep: number; maxStepSize: number },
): number {
  const { a, b } = fit;
  let s = 0;
  if (a > 0 && b < 0) s = options.updateStepAdaptation * (-b / (2 * a));
  else if (a <= 0 && b < 0) s = options.measuringStep;
  return Math.min(s, options.maxStepSize);
}
