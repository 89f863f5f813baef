/**
 * LABPAL's defined behaviour where the reference crashes or loops (README “Move, failure and
 * abort”, “API”): vector L8 (norm guard and retry cap), giving up with a known s̄, non-finite
 * values in measurement and training calls, empty batches, zero directions.
 */
import { AbsError, type HostTensor, type Model, NonFiniteError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type LineLoss, lossModel, quadratic, relative, runCalls } from './__fixtures__/line-models';
import { labpal } from './labpal';
import type { LabpalState } from './labpal-state';
import { MeasurementFailedError } from './measurement-failed-error';

const B = 2;
const half = quadratic([1]);

describe('L8. Norm guard: θ0 = 1e-4 in L1', () => {
  it('retries on fresh batches and throws MeasurementFailedError at the 10th consecutive abort (call 9)', async () => {
    const model = lossModel([1e-4], half);
    const algorithm = labpal({ fidelity: 'reference', batchSize: B });
    // ‖g‖ = θ0 = 1e-4 < normGuard[0] = 1e-3: every window aborts at j = T_b = 1, one call each.
    const run = await runCalls(model, algorithm, 9);
    const reason = 'direction norm 1.0e-4 < normGuard[0] = 1e-3';
    run.reports.forEach((report, k) => {
      expect(report).toMatchObject({ call: k, phase: 'measure', trigger: k === 0 ? 'schedule' : 'retry' });
      expect(report.measurement).toMatchObject({ stage: 'direction', accepted: false, reason });
    });
    const error = await algorithm.step(model, run.state).catch((e: unknown) => e);
    expect(MeasurementFailedError.isInstance(error)).toBe(true);
    expect(AbsError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'abs.measurement-failed', reason, attempts: 10, step: 10 });
    expect((error as Error).message).toBe(
      `labpal: measurement failed in 10 consecutive windows and no step size is known (last: ${reason}) at step 10`,
    );
    expect(MeasurementFailedError.isInstance(new Error('x'))).toBe(false);
    // θ stays 1e-4 throughout, and the failed call left the state as it was.
    expect(new Set(run.thetas.map((t) => t[0]))).toEqual(new Set([Math.fround(1e-4)]));
    expect((await model.readParameters())[0]?.[0]).toBe(Math.fround(1e-4));
    expect((run.state as LabpalState<HostTensor>).control).toMatchObject({ call: 8, consecutiveFailures: 9 });
  });

  it('names the upper guard, non-finite norms and non-descent directions', async () => {
    const steep = await runCalls(lossModel([200], half), labpal({ batchSize: B }), 1);
    expect(steep.reports[0]?.measurement?.reason).toBe('direction norm 2.0e+2 > normGuard[1] = 1e+2');
    const nan: LineLoss = () => ({ loss: 1, gradient: [Number.NaN] });
    const broken = await runCalls(lossModel([1], nan), labpal({ batchSize: B }), 1);
    expect(broken.reports[0]?.measurement?.reason).toBe('direction norm NaN is not finite');
    expect(broken.thetas[0]?.[0]).toBe(1);
  });
});

describe('giving up with a known step size (README “Move, failure and abort” retry cap)', () => {
  it('resumes training with the previous s̄ and flags measurementGaveUp, without looping', async () => {
    let flat = false;
    // After the first window, a loss whose gradient 1e-5·θ is far below the norm guard.
    const loss: LineLoss = (w, i) => (flat ? quadratic([1e-5])(w, i) : half(w, i));
    const model = lossModel([0.3], loss);
    const algorithm = labpal({ batchSize: B, reuseSteps: 2, maxConsecutiveFailures: 3 });
    // K = 2: window [0–9] gives s̄ = 0.54 and θ = −0.24; call 10 trains to θ = 0.3.
    const run = await runCalls(model, algorithm, 11);
    flat = true;
    await runCalls(model, algorithm, 5, run);
    // Call 11 re-measures (periodic); 11, 12, 13 abort; the third gives up with kStart = 13.
    expect(run.reports.slice(11, 14).map((r) => r.measurement?.stage)).toEqual(['direction', 'direction', 'direction']);
    expect(run.reports[11]?.trigger).toBe('periodic');
    expect(run.reports[13]).toMatchObject({ measurementGaveUp: true, updates: 1, stepSize: run.reports[9]?.stepSize });
    expect(run.reports[12]?.measurementGaveUp).toBeUndefined();
    // Call 14 trains with the old s̄: θ = 0.3 − 0.54·sign(1e-5·0.3) = −0.24; call 15 measures again.
    expect(run.reports[14]).toMatchObject({ phase: 'train', updates: 2 });
    expect(relative(run.thetas[14]?.[0] as number, -0.24)).toBeLessThan(1e-6);
    expect(run.reports[15]).toMatchObject({ phase: 'measure', trigger: 'periodic' });
  });
});

describe('non-finite values (README “API”)', () => {
  it('skips NaN batch losses at the probes (nanmean) and fails the fit when a whole point is NaN', async () => {
    // Example 0's loss is NaN away from θ0: its batches drop out of L̂(h), L̂(μ); L̂ is unchanged.
    const partly: LineLoss = (w, i) => ({
      ...half(w, i),
      loss: i === 0 && w[0] !== Math.fround(0.3) ? Number.NaN : half(w, i).loss,
    });
    const skipped = await runCalls(lossModel([0.3], partly), labpal({ batchSize: B }), 10);
    expect(relative(skipped.reports[9]?.measurement?.s as number, 0.54)).toBeLessThan(1e-6);
    const far: LineLoss = (w, i) => ({
      ...half(w, i),
      loss: (w[0] as number) < 0.29001 ? Number.NaN : half(w, i).loss,
    });
    const failed = await runCalls(lossModel([0.3], far), labpal({ batchSize: B }), 10);
    expect(failed.reports[9]?.measurement).toMatchObject({ accepted: false, reason: 'non-finite loss at probe μ' });
    expect(failed.thetas[9]?.[0]).toBe(Math.fround(0.3));
  });

  it.each([
    ['loss', () => ({ loss: Number.NaN, gradient: [1] }), 'loss is NaN at step 12'],
    ['gradient', () => ({ loss: 1, gradient: [Number.POSITIVE_INFINITY] }), 'gradient[p0] is Infinity at step 12'],
  ] as const)(
    'a non-finite %s in a training call throws NonFiniteError; θ and the accumulator are unchanged',
    async (_, bad, message) => {
      let broken = false;
      const loss: LineLoss = (w, i) => (broken ? bad() : half(w, i));
      // T_b = 2 from the schedule, n_a = 5: window [0–9], call 10 accumulates, call 11 would update.
      const options = { batchSize: B, approxBatches: 5, batchSizeSchedule: [[0, 2]] as const, noiseFactor: 1 };
      const model = lossModel([0.3], loss);
      const algorithm = labpal(options);
      const run = await runCalls(model, algorithm, 11); // window [0–9], call 10 accumulates c = 1
      const state = run.state as LabpalState<HostTensor>;
      expect(state.control.accumulated).toBe(1);
      broken = true;
      const error = await algorithm.step(model, run.state).catch((e: unknown) => e);
      expect(NonFiniteError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(message);
      broken = false;
      // The same state continues exactly like a run that never saw the failure.
      const resumed = await algorithm.step(model, run.state);
      const clean = await runCalls(lossModel([0.3], half), labpal(options), 12);
      expect(resumed.report).toEqual(clean.reports[11]);
      expect(Array.from((await model.readParameters())[0] as Float32Array)).toEqual(clean.thetas[11]);
    },
  );

  it('a non-finite gradient in a measurement call aborts the window and retries (no throw)', async () => {
    let broken = true;
    const loss: LineLoss = (w, i) => (broken ? { loss: 1, gradient: [Number.NaN] } : half(w, i));
    const model = lossModel([0.3], loss);
    const algorithm = labpal({ batchSize: B, momentum: 0.5 });
    const run = await runCalls(model, algorithm, 1);
    broken = false;
    await runCalls(model, algorithm, 10, run);
    expect(run.reports[0]?.measurement?.reason).toBe('direction norm NaN is not finite');
    // The aborted window left the momentum buffer at 0: the retry's direction is the clean ḡ = 0.3.
    expect(run.reports[10]?.measurement).toMatchObject({ accepted: true });
    expect(relative(run.reports[10]?.measurement?.directionNorm as number, 0.3)).toBeLessThan(1e-6);
  });
});

describe('edge cases', () => {
  it('‖d‖ = 0 in training: n = ε and the update is zero', async () => {
    let flat = false;
    const loss: LineLoss = (w, i) => (flat ? { loss: 0, gradient: [0] } : half(w, i));
    const model = lossModel([0.3], loss);
    const algorithm = labpal({ batchSize: B });
    const run = await runCalls(model, algorithm, 10);
    flat = true;
    const after = await runCalls(model, algorithm, 1, run);
    expect(after.thetas[10]).toEqual(after.thetas[9]);
    expect(after.reports[10]).toMatchObject({ phase: 'train', updates: 1 });
    // NSGD reports max(s̄/max(n, ε), ε) = 0.54/1e-6.
    expect(relative(after.reports[10]?.learningRate as number, 0.54 / 1e-6)).toBeLessThan(1e-6);
  });

  it('throws EmptyBatchError when the model answers an empty batch, leaving θ alone', async () => {
    const base = lossModel([0.3], half);
    const empty: Model<HostTensor> = Object.assign(Object.create(base), {
      evaluate: async (...args: Parameters<Model<HostTensor>['evaluate']>) => ({
        ...(await base.evaluate(...args)),
        batchSize: 0,
      }),
    });
    const algorithm = labpal({ batchSize: B });
    const state = await algorithm.init(empty, { seed: 0 });
    await expect(algorithm.step(empty, state)).rejects.toMatchObject({
      code: 'abs.empty-batch',
      message: 'labpal (step 1): the batch is empty (0 examples)',
    });
    expect((await base.readParameters())[0]?.[0]).toBe(Math.fround(0.3));
  });

  it('rejects a state that reaches a training call without a step size', async () => {
    const model = lossModel([0.3], half);
    const algorithm = labpal({ batchSize: B });
    const state = (await algorithm.init(model, { seed: 0 })) as LabpalState<HostTensor>;
    // k = 1 with no trigger due (a hand-made state: init always measures first).
    const forged = { ...state, control: { ...state.control, call: 0, schedule: [] } };
    await expect(algorithm.step(model, forged)).rejects.toThrow(
      'labpal: the state has no step size at a training call; pass the state made by labpal().init',
    );
  });

  it('needs a batch no larger than the dataset, and the loss, gradient and evaluateAt capabilities', async () => {
    const algorithm = labpal({ batchSize: 5 });
    expect(algorithm.requires).toEqual(['loss', 'gradient', 'evaluateAt']);
    await expect(algorithm.init(lossModel([0.3], half), { seed: 0 })).rejects.toThrow(
      'labpal: batchSize must be an integer ≤ the dataset size 4, got 5',
    );
    const limited = Object.assign(Object.create(lossModel([0.3], half)), {
      capabilities: new Set(['loss', 'gradient']),
    });
    await expect(labpal({ batchSize: B }).init(limited, { seed: 0 })).rejects.toMatchObject({
      code: 'abs.unsupported-capability',
    });
  });
});
