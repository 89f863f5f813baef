/**
 * The authors' growing maximal step size. Their clip is
 * `if step > max_step_size: step = max_step_size; step *= α` with `max_step_size` a tensor, so
 * after a clip `step` aliases the cap and the in-place multiply grows the cap by α. `reference`
 * reproduces it, `exact` keeps the configured cap, and the cap is part of the state.
 */
import { decodeState, encodeState, InvalidArgumentError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { lossModel, quadratic, relative, resumedFrom, runCalls } from './__fixtures__/line-models';
import { labpal } from './labpal';
import type { LabpalReport } from './labpal-report';
import { growMaxStepSize } from './step-selection';

const half = quadratic([1]); // f(θ) = ½θ²; along u = −1 from θ0 > 0 the minimum is at s* = θ0.
const alpha = 1.8;
const theta0 = 10;
/** K = 1: every window is followed at once by the next ([0–9], [10–19], [20–29]); U = 400 keeps s̄ = s. */
const options = { batchSize: 2, reuseSteps: 1, updateStepAdaptation: alpha } as const;
const windowEnds = [9, 19, 29];

const measurements = (reports: readonly LabpalReport[], ends: readonly number[] = windowEnds) =>
  ends.map((k) => {
    const m = reports[k]?.measurement;
    if (!m) throw new Error(`call ${k} did not end a window`);
    return m;
  });

describe('growMaxStepSize', () => {
  it('multiplies the cap by α only in reference mode and only when the clip fires', () => {
    expect(growMaxStepSize(1, 4, { fidelity: 'reference', updateStepAdaptation: alpha })).toBe(alpha);
    expect(growMaxStepSize(1, 4, { fidelity: 'exact', updateStepAdaptation: alpha })).toBe(1);
    // −b/(2a) at the cap, below it, or no convex fit at all: no clip, no growth.
    for (const sRaw of [1, 0.5, null]) {
      expect(growMaxStepSize(1, sRaw, { fidelity: 'reference', updateStepAdaptation: alpha })).toBe(1);
    }
  });
});

describe('three windows whose unclipped steps exceed the cap (½θ², θ0 = 10, K = 1)', () => {
  it('reference: caps 1, 1.8, 3.24 and steps 1.8, 3.24, 5.832, as the original takes them', async () => {
    const { reports, thetas } = await runCalls(
      lossModel([theta0], half),
      labpal({ ...options, fidelity: 'reference' }),
      30,
    );
    // Derivation: the reference fit puts the minimum at 2·θ − h (θ = 10, 8.2, 4.96 before each
    // window: 19.99982, 16.39982, 9.91982), always above the cap, so each window clips to the
    // cap c and steps s = α·c, and the aliasing multiply makes the next cap α·c as well:
    // c = 1, α = 1.8, α² = 3.24; s = 1.8, 3.24, 5.832.
    const caps = [1];
    for (let i = 1; i < 3; i++) caps.push((caps[i - 1] as number) * alpha);
    const steps = caps.map((c) => c * alpha);
    expect(caps.map((c) => Number(c.toPrecision(12)))).toEqual([1, 1.8, 3.24]);
    const thetaBefore = [theta0];
    for (const s of steps) thetaBefore.push((thetaBefore.at(-1) as number) - s);
    const ms = measurements(reports);
    ms.forEach((m, i) => {
      expect(m.accepted).toBe(true);
      expect(relative(m.sRaw as number, 2 * (thetaBefore[i] as number) - 1.77e-4)).toBeLessThan(1e-4);
      expect(m).toMatchObject({ clipped: true });
      expect(relative(m.maxStepSize, caps[i] as number)).toBeLessThan(1e-12);
      expect(relative(m.s as number, steps[i] as number)).toBeLessThan(1e-12);
      // The cap in force after the window is the grown one, and the move is θ0 + s̄·u.
      expect(relative(reports[windowEnds[i] as number]?.maxStepSize as number, steps[i] as number)).toBeLessThan(1e-12);
      expect(relative(thetas[windowEnds[i] as number]?.[0] as number, thetaBefore[i + 1] as number)).toBeLessThan(1e-6);
    });
    // θ after the third window: 10 − 1.8 − 3.24 − 5.832 = −0.872.
    expect(relative(thetas[29]?.[0] as number, -0.872)).toBeLessThan(1e-6);
  });

  it('exact: the same windows clip to the configured cap, s = 1.8 every time', async () => {
    const { reports, thetas } = await runCalls(lossModel([theta0], half), labpal(options), 30);
    // exact fit: s* = θ (10, 8.2, 6.4) > 1, so s = α·1 = 1.8 each window; θ = 8.2, 6.4, 4.6.
    measurements(reports).forEach((m, i) => {
      expect(m).toMatchObject({ accepted: true, clipped: true, maxStepSize: 1 });
      expect(relative(m.s as number, alpha)).toBeLessThan(1e-12);
      expect(reports[windowEnds[i] as number]?.maxStepSize).toBe(1);
      expect(relative(thetas[windowEnds[i] as number]?.[0] as number, theta0 - alpha * (i + 1))).toBeLessThan(1e-6);
    });
  });

  it('an unclipped window leaves the reference cap alone (L2 then a window below the cap)', async () => {
    // θ0 = 2: the first window clips (2·2 − h > 1), s = 1.8, θ = 0.2, cap 1.8; the second fits
    // 2·0.2 − h < 1.8: no clip, the cap stays 1.8.
    const { reports } = await runCalls(lossModel([2], half), labpal({ ...options, fidelity: 'reference' }), 20);
    const [first, second] = measurements(reports, [9, 19]);
    expect(first).toMatchObject({ clipped: true, maxStepSize: 1 });
    expect(second).toMatchObject({ clipped: false });
    expect(relative(second?.maxStepSize as number, alpha)).toBeLessThan(1e-12);
    expect(relative(reports[19]?.maxStepSize as number, alpha)).toBeLessThan(1e-12);
  });
});

describe('the cap in the state', () => {
  const algorithm = labpal({ ...options, fidelity: 'reference' });

  it('a JSON round trip between windows carries the grown cap: the resumed run is identical', async () => {
    const whole = await runCalls(lossModel([theta0], half), algorithm, 30);
    const model = lossModel([theta0], half);
    const first = await runCalls(model, algorithm, 15); // inside the second window, cap 1.8
    const json = JSON.parse(JSON.stringify(await encodeState(model.ops, first.state)));
    expect(relative(json.maxStepSize, alpha)).toBeLessThan(1e-12);
    const rest = await runCalls(model, algorithm, 15, resumedFrom(model, json));
    expect(rest.reports).toEqual(whole.reports.slice(15));
    expect(rest.thetas).toEqual(whole.thetas.slice(15));
  });

  it('exact mode clips with its configured cap, even from a state whose cap a reference run grew', async () => {
    const model = lossModel([theta0], half);
    const first = await runCalls(model, algorithm, 15);
    const json = JSON.parse(JSON.stringify(await encodeState(model.ops, first.state)));
    const exact = await runCalls(model, labpal(options), 5, resumedFrom(model, json));
    expect(exact.reports[4]?.measurement).toMatchObject({ clipped: true, maxStepSize: 1, s: alpha });
    expect(exact.reports[4]?.maxStepSize).toBe(1);
  });

  it('a state saved without the cap resumes with the configured one; a malformed cap is a typed error', async () => {
    const model = lossModel([theta0], half);
    const first = await runCalls(model, algorithm, 15);
    const { maxStepSize: _grown, ...old } = JSON.parse(JSON.stringify(await encodeState(model.ops, first.state)));
    const resumed = await runCalls(model, algorithm, 5, resumedFrom(model, old));
    // The second window clips with the configured 1 (as the version that saved it did) and grows it to 1.8.
    expect(resumed.reports[4]?.measurement).toMatchObject({ clipped: true, maxStepSize: 1 });
    expect(relative(resumed.reports[4]?.maxStepSize as number, alpha)).toBeLessThan(1e-12);
    for (const bad of [0, -1, 'big', null]) {
      const state = decodeState(model.ops, { ...old, maxStepSize: bad }) as object;
      const attempt = algorithm.step(model, state);
      await expect(attempt).rejects.toSatisfy(InvalidArgumentError.isInstance);
      await expect(algorithm.step(model, state)).rejects.toThrow(
        `labpal: state.maxStepSize must be a finite number > 0, got ${String(bad)}`,
      );
    }
  });
});
