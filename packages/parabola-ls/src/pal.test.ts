/**
 * PAL (README “PAL”): vector P1, the branch checks, momentum
 * directions, non-finite probes in both fidelity modes, and exact resumption.
 */
import { encodeState, type HostTensor, type Model, NonFiniteError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type LineLoss, lossModel, quadratic, relative, resumedFrom, runCalls } from './__fixtures__/line-models';
import { pal } from './pal';
import { selectPalStep } from './pal-step';

const B = 2;
const half = quadratic([1]);
const p1 = { batchSize: B, measuringStep: 1, updateStepAdaptation: 1 / 0.6, maxStepSize: 3.16, directionFactor: 0 };

describe('P1. The L1 quadratic with PAL', () => {
  it('θ0 = 0.3, μ = 1, α = 1/0.6, s_max = 3.16, β = 0: s = 0.5, λ = 1.6667, θ1 = −0.2', async () => {
    const { reports, thetas } = await runCalls(lossModel([0.3], half), pal(p1), 1);
    const report = reports[0];
    // L0 = ½·0.3² = 0.045; L_μ = ½(0.3 − 1)² = 0.245; b = −‖g‖ = −0.3; a = (0.245 − 0.045 + 0.3)/1² = 0.5.
    expect(relative(report?.loss as number, 0.045)).toBeLessThan(1e-6);
    expect(relative(report?.probeLoss as number, 0.245)).toBeLessThan(1e-6);
    expect(relative(report?.b as number, -0.3)).toBeLessThan(1e-6);
    expect(relative(report?.a as number, 0.5)).toBeLessThan(1e-6);
    // s_raw = −b/(2a) = 0.3; s = α·s_raw = 0.3/0.6 = 0.5; λ = s/‖g‖ = 0.5/0.3 = 1.6667; θ1 = 0.3 − 0.5.
    expect(relative(report?.sRaw as number, 0.3)).toBeLessThan(1e-6);
    expect(relative(report?.stepSize as number, 0.5)).toBeLessThan(1e-6);
    expect(relative(report?.learningRate as number, 1.6667)).toBeLessThan(1e-4);
    expect(relative(thetas[0]?.[0] as number, -0.2)).toBeLessThan(1e-6);
    expect(report).toMatchObject({ step: 1, batchSize: B, examplesSeen: B, forwardPasses: 2 });
  });

  it('branch checks: a ≤ 0 with b < 0 gives s = μ; b ≥ 0 gives s = 0; s above 3.16 is clipped after α', () => {
    const options = { updateStepAdaptation: 1 / 0.6, measuringStep: 1, maxStepSize: 3.16 };
    expect(selectPalStep({ a: -1, b: -1 }, options)).toBe(1);
    expect(selectPalStep({ a: 0, b: -1 }, options)).toBe(1);
    expect(selectPalStep({ a: 0.5, b: 0 }, options)).toBe(0);
    expect(selectPalStep({ a: -1, b: 0.1 }, options)).toBe(0);
    // −b/(2a) = 3 ≤ 3.16, but α·3 = 5 > 3.16 → 3.16 (LABPAL would clip 3 first).
    expect(selectPalStep({ a: 0.5, b: -3 }, options)).toBe(3.16);
  });

  it('the branches on models: concave → μ, clip → 3.16, b ≥ 0 → 0', async () => {
    // f = 5 + θ − θ² at 0: b = −1, L_μ = f(−1) = 3, a = (3 − 5 + 1)/1 = −1 → s = μ = 1 → θ1 = −1.
    const concave: LineLoss = (w) => ({
      loss: 5 + (w[0] as number) - (w[0] as number) ** 2,
      gradient: [1 - 2 * (w[0] as number)],
    });
    const flat = await runCalls(lossModel([0], concave), pal(p1), 1);
    expect(flat.thetas[0]).toEqual([-1]);
    expect(flat.reports[0]?.sRaw).toBeNull(); // no minimum: the raw step is not defined
    // ½θ² at θ0 = 3: s = α·3 = 5 → 3.16, θ1 = 3 − 3.16 = −0.16.
    const clipped = await runCalls(lossModel([3], half), pal(p1), 1);
    expect(clipped.reports[0]?.stepSize).toBe(3.16);
    expect(relative(clipped.reports[0]?.sRaw as number, 3)).toBeLessThan(1e-6); // −b/(2a) = θ0, before α and the clip
    expect(relative(clipped.thetas[0]?.[0] as number, -0.16)).toBeLessThan(1e-5);
    // β = 0.4, α = 31/30: step 1 goes to 0.3 − (31/30)·0.3 = −0.01. Step 2: g = −0.01,
    // d = 0.4·0.3 − 0.01 = 0.11, b = −(g·d)/|d| = 0.01 ≥ 0 → s = 0, θ stays.
    const reversed = await runCalls(
      lossModel([0.3], half),
      pal({ ...p1, directionFactor: 0.4, updateStepAdaptation: 31 / 30 }),
      2,
    );
    expect(relative(reversed.reports[1]?.b as number, 0.01)).toBeLessThan(1e-4);
    expect(reversed.reports[1]?.stepSize).toBe(0);
    expect(reversed.reports[1]?.sRaw).toBeNull();
    expect(reversed.thetas[1]).toEqual(reversed.thetas[0]);
  });
});

describe('PAL directions', () => {
  it('β = 0.4: d = β·d_prev + g with the exact derivative −(g·d)/‖d‖, or −‖d‖', async () => {
    // Step 1 as P1 (d = g): θ1 = −0.2. Step 2: g = −0.2, d = 0.4·0.3 − 0.2 = −0.08, u = +1,
    // L0 = 0.02, L_μ = ½·0.8² = 0.32.
    const exact = await runCalls(lossModel([0.3], half), pal({ ...p1, directionFactor: 0.4 }), 2);
    // b = −(−0.2·−0.08)/0.08 = −0.2; a = (0.32 − 0.02 + 0.2)/1 = 0.5; s = 0.2/0.6; θ2 = −0.2 + 1/3.
    expect(relative(exact.reports[1]?.b as number, -0.2)).toBeLessThan(1e-5);
    expect(relative(exact.reports[1]?.directionNorm as number, 0.08)).toBeLessThan(1e-5);
    expect(relative(exact.thetas[1]?.[0] as number, -0.2 + 1 / 3)).toBeLessThan(1e-5);
    // b = −0.08; a = (0.32 − 0.02 + 0.08)/1 = 0.38; s = (0.08/0.76)/0.6; θ2 = −0.2 + s.
    const plain = await runCalls(
      lossModel([0.3], half),
      pal({ ...p1, directionFactor: 0.4, exactDirectionalDerivative: false }),
      2,
    );
    expect(relative(plain.reports[1]?.a as number, 0.38)).toBeLessThan(1e-5);
    expect(relative(plain.thetas[1]?.[0] as number, -0.2 + 0.08 / 0.76 / 0.6)).toBeLessThan(1e-5);
  });
});

describe('PAL non-finite values', () => {
  // The loss is NaN on the probe side (θ < 0).
  const cliff: LineLoss = (w, i) => ((w[0] as number) < 0 ? { loss: Number.NaN, gradient: [0] } : half(w, i));

  it('exact: returns to θ and reports step 0 with nonFiniteProbe', async () => {
    const { reports, thetas } = await runCalls(lossModel([0.3], cliff), pal(p1), 1);
    expect(reports[0]).toMatchObject({ stepSize: 0, learningRate: 0, nonFiniteProbe: true });
    expect(thetas[0]).toEqual([Math.fround(0.3)]);
  });

  it('reference: stays at the probe point θ + μ·u but reports step 0 (the quirk)', async () => {
    const { reports, thetas } = await runCalls(lossModel([0.3], cliff), pal({ ...p1, fidelity: 'reference' }), 1);
    expect(reports[0]).toMatchObject({ stepSize: 0, nonFiniteProbe: true });
    expect(relative(thetas[0]?.[0] as number, 0.3 - 1)).toBeLessThan(1e-6);
  });

  it('reference: a probe point that overflows float32 is not applied (NonFiniteError naming the parameter)', async () => {
    // ℓ = −w from θ = 3e38 with μ = 1e38: the probe θ + μ·u = 4e38 is ±Infinity as a float32, its loss is
    // not finite, and the reference quirk would stay there; the guard refuses it and θ stays 3e38.
    const model = lossModel([3e38], (w) => ({ loss: -(w[0] as number), gradient: [-1] }));
    const algorithm = pal({ ...p1, measuringStep: 1e38, fidelity: 'reference' });
    const error = await algorithm.step(model, await algorithm.init(model, { seed: 0 })).catch((e: unknown) => e);
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('parameters[p0] is Infinity at step 1');
    expect((await model.readParameters())[0]).toEqual(Float32Array.of(3e38));
  });

  it('throws NonFiniteError before probing when the loss or gradient is not finite', async () => {
    const base = lossModel([0.3], () => ({ loss: 1, gradient: [Number.NaN] }));
    let evaluations = 0;
    const counted: Model<HostTensor> = Object.assign(Object.create(base), {
      evaluate: (...args: Parameters<Model<HostTensor>['evaluate']>) => {
        evaluations += 1;
        return base.evaluate(...args);
      },
    });
    const algorithm = pal(p1);
    const error = await algorithm.step(counted, await algorithm.init(counted, { seed: 0 })).catch((e: unknown) => e);
    expect(NonFiniteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('gradient[p0] is NaN at step 1');
    expect(evaluations).toBe(1);
    expect((await base.readParameters())[0]).toEqual(Float32Array.of(0.3));
  });
});

describe('PAL state', () => {
  it('round-trips through JSON and resumes exactly, momentum buffer included', async () => {
    const model = lossModel([0.3, -0.2], quadratic([1, 3]));
    const algorithm = pal({ ...p1, directionFactor: 0.4 });
    const whole = await runCalls(model, algorithm, 6);
    const resumedModel = lossModel([0.3, -0.2], quadratic([1, 3]));
    const first = await runCalls(resumedModel, algorithm, 3);
    const json = JSON.parse(JSON.stringify(await encodeState(resumedModel.ops, first.state)));
    const second = await runCalls(resumedModel, algorithm, 3, resumedFrom(resumedModel, json));
    expect(second.reports).toEqual(whole.reports.slice(3));
    expect(second.thetas).toEqual(whole.thetas.slice(3));
  });
});
