/**
 * LABPAL's control flow as pure functions of plain counters (README “Training call”, “Move, failure
 * and abort”, “Noise factor and batch-size schedule”): which call k measures and which trains, when
 * the accumulation multiplier T_b changes, and what a finished window does to the counters. No
 * tensors here, so schedules of 10⁵ calls can be checked in milliseconds.
 */
import type { Fidelity, ScheduleEntry } from './resolve-labpal-config';

export type LabpalPhase = 'train' | 'measure';
/** Why a measurement window starts at this call. */
export type WindowTrigger = 'schedule' | 'first' | 'periodic' | 'untrusted' | 'retry';

export interface LabpalControl {
  /** k, the 0-based call index; −1 before the first call. */
  readonly call: number;
  readonly phase: LabpalPhase;
  /** T_b, the current accumulation multiplier. */
  readonly accumulation: number;
  /** The call at which the last window ended (periodic trigger: ⌊(k − kStart)/T_b⌋ ≥ K). */
  readonly kStart: number;
  /** Parameter updates so far, starting at −1 (the first move makes it 0). */
  readonly updates: number;
  /** c, training batches accumulated towards the next update. */
  readonly accumulated: number;
  /** j, calls of the current window done (0: the window starts at the next measurement call). */
  readonly windowCall: number;
  readonly consecutiveFailures: number;
  /** Scaled schedule entries not yet applied (head first). */
  readonly schedule: readonly ScheduleEntry[];
  /** The one re-measurement at updates = U + 1 has started (so a give-up there cannot loop). */
  readonly untrustedRemeasured: boolean;
}

export interface ControlRules {
  readonly reuseSteps: number;
  readonly untrustedUpdates: number;
  readonly approxBatches: number;
  readonly maxConsecutiveFailures: number;
  readonly fidelity: Fidelity;
}

export function initialControl(schedule: readonly ScheduleEntry[]): LabpalControl {
  return {
    call: -1,
    phase: 'train',
    accumulation: 1,
    kStart: 0,
    updates: -1,
    accumulated: 0,
    windowCall: 0,
    consecutiveFailures: 0,
    schedule,
    untrustedRemeasured: false,
  };
}

/** n_a·T_b, the calls of a full window at the current multiplier. */
export const windowLength = (control: LabpalControl, rules: Pick<ControlRules, 'approxBatches'>): number =>
  rules.approxBatches * control.accumulation;

/** Entries of the schedule due at call k: none, or how many to pop (the last one's multiplier wins). */
function dueEntries(control: LabpalControl, fidelity: Fidelity): number {
  const head = control.schedule[0];
  if (head === undefined) return 0;
  // reference: only the head, only on equality; a miss blocks every later entry (the fidelity notes, README “API”).
  if (fidelity === 'reference') return head[0] === control.call ? 1 : 0;
  let due = 0;
  while (due < control.schedule.length && (control.schedule[due] as ScheduleEntry)[0] <= control.call) due++;
  return due;
}

/**
 * Steps 1–3 of README “Training call”: k ← k + 1, apply a due schedule entry, fire a trigger. Starting a
 * window discards a partial training accumulation (`discarded` batches).
 * @example
 * beginCall(initialControl([[0, 1]]), rules).trigger; // 'schedule' (k = 0)
 */
export function beginCall(
  previous: LabpalControl,
  rules: ControlRules,
): { control: LabpalControl; trigger: WindowTrigger | null; discarded: number } {
  let control: LabpalControl = { ...previous, call: previous.call + 1 };
  const k = control.call;
  let trigger: WindowTrigger | null = null;
  const windowOpen = control.phase === 'measure' && control.windowCall > 0;
  const due = control.accumulated === 0 && !windowOpen ? dueEntries(control, rules.fidelity) : 0;
  if (due > 0) {
    const entry = control.schedule[due - 1] as ScheduleEntry;
    control = { ...control, accumulation: entry[1], schedule: control.schedule.slice(due) };
    trigger = 'schedule';
  } else if (control.phase === 'train') {
    if (k === 0) trigger = 'first';
    else if (Math.floor((k - control.kStart) / control.accumulation) >= rules.reuseSteps) trigger = 'periodic';
    else if (control.updates === rules.untrustedUpdates + 1 && !control.untrustedRemeasured) trigger = 'untrusted';
  } else if (control.windowCall === 0) {
    trigger = 'retry';
  }
  if (trigger === null) return { control, trigger, discarded: 0 };
  const discarded = control.accumulated;
  control = {
    ...control,
    phase: 'measure',
    windowCall: 0,
    accumulated: 0,
    untrustedRemeasured: control.untrustedRemeasured || trigger === 'untrusted',
  };
  return { control, trigger, discarded };
}

/** A measurement call: j ← j + 1. */
export const advanceWindow = (control: LabpalControl): LabpalControl => ({
  ...control,
  windowCall: control.windowCall + 1,
});

/** A training call: c ← c + 1, and an update when c reaches T_b (README “Training call”). */
export function advanceTraining(control: LabpalControl): { control: LabpalControl; updated: boolean } {
  const accumulated = control.accumulated + 1;
  if (accumulated < control.accumulation) return { control: { ...control, accumulated }, updated: false };
  return { control: { ...control, accumulated: 0, updates: control.updates + 1 }, updated: true };
}

/**
 * End of a window (README “Move, failure and abort”). `'moved'`: the parameters moved by s̄ (a new
 * or a kept step size). `'failed'`: an abort or a rejected fit with no step size; the next call
 * starts a new window, unless the retry cap is reached: then TRAIN resumes with the old s̄
 * (`gaveUp`) or, with no s̄ at all, the caller throws (`exhausted`).
 */
export function finishWindow(
  control: LabpalControl,
  outcome: 'moved' | 'failed',
  options: { hasStepSize: boolean; maxConsecutiveFailures: number },
): { control: LabpalControl; gaveUp: boolean; exhausted: boolean } {
  if (outcome === 'moved') {
    return {
      control: {
        ...control,
        phase: 'train',
        kStart: control.call,
        updates: control.updates + 1,
        windowCall: 0,
        consecutiveFailures: 0,
      },
      gaveUp: false,
      exhausted: false,
    };
  }
  const consecutiveFailures = control.consecutiveFailures + 1;
  const retry: LabpalControl = { ...control, phase: 'measure', windowCall: 0, consecutiveFailures };
  if (consecutiveFailures < options.maxConsecutiveFailures) return { control: retry, gaveUp: false, exhausted: false };
  if (!options.hasStepSize) return { control: retry, gaveUp: false, exhausted: true };
  return {
    control: { ...retry, phase: 'train', kStart: control.call, consecutiveFailures: 0 },
    gaveUp: true,
    exhausted: false,
  };
}
