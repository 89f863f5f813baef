/**
 * A LABPAL measurement call, window call j of n_a·T_b (README “Measurement”, “Move, failure and abort”).
 * Every call stores its batch and its loss at θ0. Calls j ≤ T_b also average the gradient;
 * j = T_b forms the direction (or aborts the window); the last call probes the stored batches
 * at θ0 + h·u and θ0 + μ·u, fits the parabola, selects the step and moves to θ0 + s̄·u.
 */
import { axpbyList } from '@abs/core';
import { baseReport, evaluateBatch, type LabpalCall, type LabpalCallResult } from './labpal-call';
import { advanceWindow, finishWindow, windowLength } from './labpal-control';
import { formDirection } from './labpal-direction';
import type { LabpalMeasurement } from './labpal-report';
import { emptyWindow, type LabpalState, type MeasurementWindow } from './labpal-state';
import { checkedMove } from './line-ops';
import { lossAlongLine } from './line-probe';
import { MeasurementFailedError } from './measurement-failed-error';
import { fitParabola } from './parabola-fit';
import { averageStep, growMaxStepSize, nanmean, proposeStep } from './step-selection';

type WindowEnd<T> = { readonly measurement: LabpalMeasurement; readonly state: Partial<LabpalState<T>> };

/** Probe, fit, select (README “Parabola fit”, “Step selection”); moves the model when a step size is known. */
async function probeAndFit<T>(call: LabpalCall<T>, window: MeasurementWindow<T>): Promise<WindowEnd<T>> {
  const { model, config, state } = call;
  const direction = window.direction as T[];
  const origin = model.parameters;
  const line = { origin, direction, directionScale: 1, batches: window.batches };
  const l0 = nanmean(window.losses);
  const near = await lossAlongLine(model, line, config.probeNear);
  const far = await lossAlongLine(model, line, config.probeFar);
  const losses = [l0, near.loss, far.loss] as const;
  const probeDistances = [near.distance, far.distance] as const;
  const fit = fitParabola({ l0, lh: near.loss, lmu: far.loss, h: near.distance, mu: far.distance }, config.fidelity);
  const probe = (['0', 'h', 'μ'] as const)[losses.findIndex((l) => !Number.isFinite(l))];
  // `exact` clips with the configured cap; `reference` with the state's, which clips have grown.
  const cap = config.fidelity === 'reference' ? state.maxStepSize : config.maxStepSize;
  const proposal =
    probe === undefined
      ? proposeStep(fit, { ...config, maxStepSize: cap, directionNorm: window.directionNorm })
      : ({ accepted: false, sRaw: null, reason: `non-finite loss at probe ${probe}` } as const);
  const maxStepSize = growMaxStepSize(cap, proposal.sRaw, config);
  let { stepSize, learningRate, history } = state;
  if (proposal.accepted) {
    if (call.control.updates > config.untrustedUpdates) {
      ({ history, stepSize, learningRate } = averageStep(history, proposal, config.averagingWindow));
    } else {
      stepSize = proposal.s;
      learningRate = proposal.lambda;
    }
  }
  const measurement: LabpalMeasurement = {
    stage: 'fit',
    accepted: proposal.accepted,
    reason: proposal.accepted ? null : proposal.reason,
    a: fit.a,
    b: fit.b,
    sRaw: proposal.sRaw,
    maxStepSize: cap,
    clipped: proposal.sRaw !== null && proposal.sRaw > cap,
    s: proposal.accepted ? proposal.s : null,
    lambda: proposal.accepted ? proposal.lambda : null,
    directionNorm: window.directionNorm,
    losses,
    probeDistances,
  };
  if (stepSize === null) return { measurement, state: { maxStepSize } };
  const parameters = await checkedMove(model, line, { distance: stepSize, step: call.control.call + 1 });
  model.setParameters(parameters);
  const lastLearningRate =
    config.mode === 'SGD'
      ? (learningRate as number)
      : Math.max(stepSize / Math.max(window.directionNorm, config.epsilon), config.epsilon);
  return { measurement, state: { maxStepSize, stepSize, learningRate, history, lastLearningRate } };
}

export async function measurementCall<T>(call: LabpalCall<T>): Promise<LabpalCallResult<T>> {
  const { model, config, state, ledger } = call;
  const control = advanceWindow(call.control);
  const j = control.windowCall;
  const accumulation = control.accumulation;
  const length = windowLength(control, config);
  const previous = j === 1 ? emptyWindow<T>() : state.window;
  if (j === 1) {
    ledger.discard(state.window.gradient);
    ledger.discard(state.window.direction);
  }
  const result = await evaluateBatch(call, j <= accumulation ? { gradient: true } : {});
  let window: MeasurementWindow<T> = {
    ...previous,
    batches: [...previous.batches, call.batch.indices],
    losses: [...previous.losses, result.loss],
  };
  if (result.gradient) {
    const gradient = result.gradient;
    const mean =
      previous.gradient === null ? gradient : axpbyList(model.ops, (j - 1) / j, previous.gradient, 1 / j, gradient);
    if (mean !== gradient) {
      ledger.create(mean);
      ledger.discard(gradient);
      ledger.discard(previous.gradient);
    }
    window = { ...window, gradient: mean };
  }
  let momentum = state.momentum;
  let end: WindowEnd<T> | null = null;
  if (j === accumulation) {
    const formed = await formDirection(
      model,
      { gradient: window.gradient as T[], momentum, ledger },
      { momentum: config.momentum, epsilon: config.epsilon, normGuard: config.normGuard },
    );
    ledger.discard(window.gradient);
    if (!formed.ok) {
      const measurement: LabpalMeasurement = {
        stage: 'direction',
        accepted: false,
        reason: formed.reason,
        ...{ a: null, b: null, sRaw: null, s: null, lambda: null, losses: null, probeDistances: null },
        maxStepSize: state.maxStepSize,
        clipped: false,
        directionNorm: formed.norm,
      };
      end = { measurement, state: {} };
    } else {
      if (formed.momentum !== null) {
        ledger.discard(momentum);
        momentum = formed.momentum;
      }
      window = { ...window, gradient: null, direction: formed.direction, directionNorm: formed.norm };
    }
  }
  const forwardPasses = state.forwardPasses + 1 + (end === null && j === length ? 2 * window.batches.length : 0);
  if (end === null && j === length) end = await probeAndFit(call, window);
  return finish(call, { control, window, momentum, forwardPasses, end, loss: result.loss });
}

/** Builds the next state and the report; applies README “Move, failure and abort” at the end of a window. */
function finish<T>(
  call: LabpalCall<T>,
  parts: {
    control: LabpalCall<T>['control'];
    window: MeasurementWindow<T>;
    momentum: T[] | null;
    forwardPasses: number;
    end: WindowEnd<T> | null;
    loss: number;
  },
): LabpalCallResult<T> {
  const { state, config, ledger } = call;
  const { end } = parts;
  const windowReport = { call: parts.control.windowCall, length: windowLength(parts.control, config) };
  const base = { ...state, sampler: call.batch.state, momentum: parts.momentum, forwardPasses: parts.forwardPasses };
  if (end === null) {
    const next: LabpalState<T> = { ...base, control: parts.control, window: parts.window };
    return {
      state: next,
      report: { ...baseReport(call, { state: next, loss: parts.loss }), phase: 'measure', window: windowReport },
    };
  }
  ledger.discard(parts.window.direction);
  const stepSize = end.state.stepSize ?? state.stepSize;
  const moved = end.state.stepSize !== undefined;
  const finished = finishWindow(parts.control, moved ? 'moved' : 'failed', {
    hasStepSize: stepSize !== null,
    maxConsecutiveFailures: config.maxConsecutiveFailures,
  });
  if (finished.exhausted) {
    throw new MeasurementFailedError({
      reason: end.measurement.reason ?? 'unknown',
      attempts: finished.control.consecutiveFailures,
      step: parts.control.call + 1,
    });
  }
  const next: LabpalState<T> = { ...base, ...end.state, control: finished.control, window: emptyWindow() };
  const report = {
    ...baseReport(call, { state: next, loss: parts.loss }),
    phase: 'measure' as const,
    window: windowReport,
    measurement: end.measurement,
    ...(finished.gaveUp ? { measurementGaveUp: true } : {}),
  };
  return { state: next, report };
}
