/**
 * What the bench keeps from an algorithm's own step report beyond core's `StepReport`: the
 * step size of a line search per call (into the thinned trace) and its rare decisions —
 * LABPAL's measurement windows, Arbiter's epoch-end batch sizes — into the run's unthinned
 * `events`. A suite passes the observer that matches its algorithm's report.
 */
import type { ArbiterReport } from '@abs/arbiter';
import type { StepReport } from '@abs/core';
import type { LabpalReport, PalReport } from '@abs/parabola-ls';
import type { RunEvent } from './results';

export interface Observation {
  readonly stepSize?: number | null;
  readonly rawStep?: number | null;
  readonly event?: RunEvent;
}

export type Observer = (report: StepReport) => Observation;

/**
 * LABPAL: s̄ in NSGD mode, λ̄ in SGD mode (what the training updates use), and every window's
 * outcome: the raw fitted step, the cap and whether it clipped, accepted or why not.
 */
export const observeLabpal =
  (mode: 'NSGD' | 'SGD'): Observer =>
  (raw) => {
    const report = raw as LabpalReport;
    const stepSize = mode === 'SGD' ? (report.stepSize === null ? null : report.learningRate) : report.stepSize;
    const m = report.measurement;
    if (!m) return { stepSize };
    const event: RunEvent = {
      kind: 'line-search',
      step: report.step,
      examplesSeen: report.examplesSeen,
      accepted: m.accepted,
      rawStep: m.sRaw,
      stepSize: m.s,
      maxStepSize: m.maxStepSize,
      clipped: m.clipped,
      reason: m.reason,
    };
    return { stepSize, event };
  };

/** PAL: the step s it took and −b/(2a) before α and the clip. */
export const observePal: Observer = (raw) => {
  const report = raw as PalReport;
  return { stepSize: report.stepSize, rawStep: report.sRaw };
};

/** Arbiter: at each epoch end, the next batch size with the candidates and their mixture weights. */
export const observeArbiter: Observer = (raw) => {
  const report = raw as ArbiterReport;
  if (report.nextBatchSize === undefined) return {};
  return {
    event: {
      kind: 'batch-size-decision',
      step: report.step,
      examplesSeen: report.examplesSeen,
      epoch: report.epoch,
      nextBatchSize: report.nextBatchSize,
      candidates: [...report.candidates],
      weights: [...report.pi],
      chosenIndex: report.chosenIndex ?? null,
    },
  };
};
