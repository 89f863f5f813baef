/**
 * LABPAL test vectors L1–L4 of README “Test vectors” on deterministic losses that
 * ignore the data (every stored batch then has the same loss, so L̂ is the closed form).
 * The model stores θ in float32 like every backend: θ0 = 0.3 is 0.30000001, which moves the
 * reference-mode numbers by ~1e-7, well inside the spec's relative 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { type LineLoss, lossModel, quadratic, relative, runCalls } from './__fixtures__/line-models';
import { labpal } from './labpal';
import type { LabpalReport } from './labpal-report';

const B = 2;
const half = quadratic([1]); // f(θ) = ½θ², f'(θ) = θ

/** The measurement report of call `k`. */
function measured(reports: readonly LabpalReport[], k: number) {
  const m = reports[k]?.measurement;
  if (!m) throw new Error(`call ${k} did not end a window`);
  return m;
}

describe('L1. One-dimensional quadratic f(θ) = ½θ², θ0 = 0.3 (reference mode)', () => {
  it('fits b = −0.2999115, a = 0.25 through L̂ = (0.045, 0.0449469157, 0.04205) and steps s = 1.07968, λ = 3.59894', async () => {
    const model = lossModel([0.3], half);
    const { reports, thetas } = await runCalls(model, labpal({ fidelity: 'reference', batchSize: B }), 10);
    const m = measured(reports, 9);
    // L̂(0) = ½·0.3², L̂(h) = ½(0.3 − 1.77e-4)², L̂(μ) = ½·0.29² (u = −1).
    const expected = { losses: [0.045, 0.0449469157, 0.04205], b: -0.2999115, a: 0.25 };
    m.losses?.forEach((l, i) => expect(relative(l, expected.losses[i] as number)).toBeLessThan(1e-5));
    // reference: b = Δh/h = B + A·h = −0.3 + 0.5·1.77e-4; a = A/2 = 0.25 (true values −0.3, 0.5).
    expect(relative(m.b as number, expected.b)).toBeLessThan(1e-5);
    expect(relative(m.a as number, expected.a)).toBeLessThan(1e-5);
    // s_raw = −b/(2a) = 2·0.3 − h = 0.599823; s = 1.8·s_raw = 1.07968; λ = s/‖g‖ = s/0.3 = 3.59894.
    expect(relative(m.sRaw as number, 0.599823)).toBeLessThan(1e-5);
    expect(relative(m.s as number, 1.07968)).toBeLessThan(1e-5);
    expect(relative(m.lambda as number, 3.59894)).toBeLessThan(1e-5);
    // Calls 0–8 leave θ = 0.3; call 9 moves to θ0 + s·u = 0.3 − 1.07968 = −0.77968.
    for (let k = 0; k < 9; k++) expect(thetas[k]?.[0]).toBe(Math.fround(0.3));
    expect(relative(thetas[9]?.[0] as number, -0.77968)).toBeLessThan(1e-5);
    // 10 windows calls + 2·10 probe passes: 1 backward and 30 forward passes (README “Noise factor
    // and batch-size schedule”).
    expect(reports[9]).toMatchObject({ phase: 'measure', updates: 0, forwardPasses: 30, stepSize: m.s });
  });

  it('NSGD afterwards oscillates −0.7797 → 0.3 → −0.7797', async () => {
    const { thetas } = await runCalls(lossModel([0.3], half), labpal({ fidelity: 'reference', batchSize: B }), 13);
    // θ ← θ − s̄·g/|g| with g = θ: −0.77968 + 1.07968 = 0.3, then 0.3 − 1.07968 again.
    const expected = [-0.77968, 0.3, -0.77968, 0.3];
    expected.forEach((theta, i) => expect(relative(thetas[9 + i]?.[0] as number, theta)).toBeLessThan(1e-5));
  });

  it('SGD afterwards multiplies θ by (1 − λ): −0.77968, 2.02635, −5.26638, 13.68702 (diverges)', async () => {
    const { reports, thetas } = await runCalls(
      lossModel([0.3], half),
      labpal({ mode: 'SGD', fidelity: 'reference', batchSize: B }),
      13,
    );
    const expected = [-0.77968, 2.02635, -5.26638, 13.68702];
    expected.forEach((theta, i) => expect(relative(thetas[9 + i]?.[0] as number, theta)).toBeLessThan(2e-5));
    // The same recurrence with the implementation's own λ, at float32 precision.
    const lambda = reports[9]?.learningRate as number;
    for (let k = 10; k < 13; k++) {
      expect(relative(thetas[k]?.[0] as number, (1 - lambda) * (thetas[k - 1]?.[0] as number))).toBeLessThan(1e-6);
    }
    expect(reports[12]).toMatchObject({ phase: 'train', updates: 3, learningRate: lambda });
  });

  it('with β = 0.9, SGD mode follows the β = 0 trajectory until the next measurement (the fidelity notes, README “API”)', async () => {
    const plain = await runCalls(
      lossModel([0.3], half),
      labpal({ mode: 'SGD', fidelity: 'reference', batchSize: B }),
      13,
    );
    const heavy = await runCalls(
      lossModel([0.3], half),
      labpal({ mode: 'SGD', fidelity: 'reference', batchSize: B, momentum: 0.9 }),
      13,
    );
    expect(heavy.thetas).toEqual(plain.thetas);
  });

  it('with β = 0.9, NSGD mode differs at once: call 10 gives θ = 0.87195', async () => {
    const { thetas } = await runCalls(
      lossModel([0.3], half),
      labpal({ fidelity: 'reference', batchSize: B, momentum: 0.9 }),
      11,
    );
    // buf = 0.9·0.3 + (−0.77968) = −0.50968; the raw gradient −0.77968 is divided by |buf|:
    // θ = −0.77968 − 1.07968·(−0.77968)/0.50968 = 0.87195.
    const derived = -0.77968 - (1.07968 * -0.77968) / Math.abs(0.9 * 0.3 - 0.77968);
    expect(relative(thetas[10]?.[0] as number, 0.87195)).toBeLessThan(1e-5);
    expect(relative(derived, 0.87195)).toBeLessThan(1e-5);
    // exact mode (s̄ = 0.54, θ9 = −0.24) updates along the buffer 0.9·0.3 − 0.24 = 0.03:
    // θ = −0.24 − 0.54·0.03/|0.03| = −0.78.
    const exact = await runCalls(lossModel([0.3], half), labpal({ batchSize: B, momentum: 0.9 }), 11);
    expect(relative(exact.thetas[10]?.[0] as number, -0.78)).toBeLessThan(1e-6);
  });

  it('never deadlocks (reference under PyTorch ≥ 2.0: θ stuck at 0.3, λ None)', async () => {
    const { reports, thetas } = await runCalls(
      lossModel([0.3], half),
      labpal({ fidelity: 'reference', batchSize: B }),
      10,
    );
    expect(thetas[9]?.[0]).not.toBe(Math.fround(0.3));
    expect(reports[9]?.learningRate).toBeGreaterThan(0);
  });

  it('contrast, exact mode with α = 1.8: s = 0.54, λ = 1.8, θ at call 9 = −0.24', async () => {
    const { reports, thetas } = await runCalls(lossModel([0.3], half), labpal({ batchSize: B }), 10);
    const m = measured(reports, 9);
    // exact fit: a = 0.5, b = −0.3, s* = 0.3; s = 1.8·0.3 = 0.54; λ = 0.54/0.3 = 1.8.
    expect(relative(m.a as number, 0.5)).toBeLessThan(1e-6);
    expect(relative(m.b as number, -0.3)).toBeLessThan(1e-6);
    expect(relative(m.s as number, 0.54)).toBeLessThan(1e-6);
    expect(relative(m.lambda as number, 1.8)).toBeLessThan(1e-6);
    expect(relative(thetas[9]?.[0] as number, -0.24)).toBeLessThan(1e-6);
  });
});

describe('L2. Clip: θ0 = 2', () => {
  it.each(['reference', 'exact'] as const)(
    '%s: s = min(s_raw, 1)·1.8 = 1.8, λ = 0.9, θ after = 0.2',
    async (fidelity) => {
      const { reports, thetas } = await runCalls(lossModel([2], half), labpal({ fidelity, batchSize: B }), 10);
      const m = measured(reports, 9);
      // reference: s_raw = 2·2 − h = 3.99982; exact: s* = 2. Both clip to 1 before α.
      expect(relative(m.sRaw as number, fidelity === 'reference' ? 3.99982 : 2)).toBeLessThan(1e-5);
      expect(relative(m.s as number, 1.8)).toBeLessThan(1e-12);
      expect(relative(m.lambda as number, 0.9)).toBeLessThan(1e-12); // 1.8/‖g‖ = 1.8/2
      expect(relative(thetas[9]?.[0] as number, 0.2)).toBeLessThan(1e-6); // 2 − 1.8
    },
  );
});

describe('L3. Two-dimensional quadratic H = diag(1, 4), θ0 = (0.2, 0.1)', () => {
  // g = Hθ0 = (0.2, 0.4), ‖g‖ = 0.4472136, u = −g/‖g‖ = (−0.4472136, −0.8944272).
  // Along u, f(θ0 + s·u) = f(θ0) + s·gᵀu + ½s²·uᵀHu: B = gᵀu = −‖g‖ and
  // A = ½uᵀHu = ½(0.2 + 4·0.8) = 1.7; s* = −B/(2A) = 0.1315334; λ* = s*/‖g‖ = 0.2941176.
  const u = [-0.4472136, -0.8944272];
  it('reference: b = −0.4469127, a = 0.85, s_raw = 0.2628898, s = 0.4732017, λ = 1.0581111', async () => {
    const model = lossModel([0.2, 0.1], quadratic([1, 4]));
    const { reports, thetas } = await runCalls(model, labpal({ fidelity: 'reference', batchSize: B }), 10);
    const m = measured(reports, 9);
    expect(relative(m.directionNorm, 0.4472136)).toBeLessThan(1e-6);
    // b = B + A·h = −0.4472136 + 1.7·1.77e-4; a = A/2; s_raw = 2·s* − h; s = 1.8·s_raw; λ = s/‖g‖.
    expect(relative(m.b as number, -0.4469127)).toBeLessThan(1e-5);
    expect(relative(m.a as number, 0.85)).toBeLessThan(1e-5);
    expect(relative(m.sRaw as number, 0.2628898)).toBeLessThan(1e-5);
    expect(relative(m.s as number, 0.4732017)).toBeLessThan(1e-5);
    expect(relative(m.lambda as number, 1.0581111)).toBeLessThan(1e-5);
    // θ = θ0 + s·u = (0.2 − 0.4732017·0.4472136, 0.1 − 0.4732017·0.8944272) = (−0.0116222, −0.3232445).
    const expected = [-0.0116222, -0.3232445];
    expected.forEach((x, i) => expect(Math.abs((thetas[9]?.[i] as number) - x)).toBeLessThan(1e-5 * 0.3232445));
    expected.forEach((x, i) =>
      expect(Math.abs(x - ([0.2, 0.1][i] as number) - 0.4732017 * (u[i] as number))).toBeLessThan(1e-7),
    );
  });

  it('exact: the 3-point fit recovers A = 1.7, B = −0.4472136; s = 0.2367601, λ = 0.5294118', async () => {
    const model = lossModel([0.2, 0.1], quadratic([1, 4]));
    const { reports, thetas } = await runCalls(model, labpal({ batchSize: B }), 10);
    const m = measured(reports, 9);
    expect(relative(m.a as number, 1.7)).toBeLessThan(1e-6);
    expect(relative(m.b as number, -0.4472136)).toBeLessThan(1e-6);
    expect(relative(m.sRaw as number, 0.1315334)).toBeLessThan(1e-6);
    // s = α·s* = 1.8·0.1315334; λ = 1.8·s*/‖g‖ = 1.8/3.4.
    expect(relative(m.s as number, 0.2367601)).toBeLessThan(1e-6);
    expect(relative(m.lambda as number, 1.8 / 3.4)).toBeLessThan(1e-6);
    expect(relative(0.5294118, 1.8 / 3.4)).toBeLessThan(1e-7);
    // θ = θ0 + s·u = (0.0941176, −0.1117647).
    const expected = [0.0941176, -0.1117647];
    expected.forEach((x, i) => expect(Math.abs((thetas[9]?.[i] as number) - x)).toBeLessThan(1e-6 * 0.1117647));
  });
});

describe('L4. Concave line l(s) = 5 − s² − s', () => {
  // f(θ) = 5 + θ − θ² at θ0 = 0: f'(0) = 1, u = −1, so f(θ0 + s·u) = 5 − s − s².
  const concave: LineLoss = (w) => ({
    loss: 5 + (w[0] as number) - (w[0] as number) ** 2,
    gradient: [1 - 2 * (w[0] as number)],
  });

  it.each([
    ['reference', -0.5, -1.000177, 'parabola not convex (a = -0.5)'],
    ['exact', -1, -1, 'parabola not convex (a = -1)'],
  ] as const)(
    '%s: a = %d, b = %d is rejected; with no s̄ yet θ stays θ0 and the next batches measure again',
    async (fidelity, a, b, reason) => {
      const { reports, thetas } = await runCalls(lossModel([0], concave), labpal({ fidelity, batchSize: B }), 20);
      const m = measured(reports, 9);
      // reference: b = Δh/h = (−h − h²)/h = −1 − h = −1.000177 (≈ −1.0002), a = A/2 = −0.5.
      expect(relative(m.a as number, a)).toBeLessThan(1e-5);
      expect(relative(m.b as number, b)).toBeLessThan(1e-5);
      expect(m).toMatchObject({ accepted: false, reason, s: null });
      expect(thetas.every((t) => t[0] === 0)).toBe(true);
      expect(reports[10]).toMatchObject({ phase: 'measure', trigger: 'retry', window: { call: 1, length: 10 } });
      expect(reports[19]?.measurement).toMatchObject({ accepted: false, reason });
      expect(reports[19]?.stepSize).toBeNull();
    },
  );

  it.each(['NSGD', 'SGD'] as const)(
    '%s: with an s̄ already set, the previous s̄ is applied from θ0 (and λ̄ kept)',
    async (mode) => {
      let shape: 'convex' | 'concave' = 'convex';
      const switching: LineLoss = (w, i) => (shape === 'convex' ? half(w, i) : concave(w, i));
      const model = lossModel([0.3], switching);
      // K = 1: window [0–9] on ½θ² gives s̄ = 0.54, λ̄ = 1.8, θ = −0.24; call 10 re-measures.
      const algorithm = labpal({ mode, batchSize: B, reuseSteps: 1 });
      const run = await runCalls(model, algorithm, 10);
      shape = 'concave';
      await runCalls(model, algorithm, 10, run);
      const m = measured(run.reports, 19);
      expect(m).toMatchObject({ accepted: false, reason: 'parabola not convex (a = -1)' });
      // f'(−0.24) = 1.48 > 0, so u = −1 and θ = θ0 + s̄·u = −0.24 − 0.54 = −0.78.
      expect(relative(run.thetas[19]?.[0] as number, -0.78)).toBeLessThan(1e-6);
      expect(run.reports[10]).toMatchObject({ trigger: 'periodic' });
      expect(run.reports[19]).toMatchObject({ updates: 1, stepSize: run.reports[9]?.stepSize });
      // SGD reports the kept λ̄ = 1.8; NSGD reports s̄/‖d‖ of this move, 0.54/f'(−0.24) = 0.54/1.48.
      expect(run.reports[19]?.learningRate).toBeCloseTo(mode === 'SGD' ? 1.8 : 0.54 / 1.48, 6);
    },
  );
});
