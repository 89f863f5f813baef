/**
 * LABPAL's control flow (README “Training call”, “Noise factor and batch-size schedule”) driven as pure functions, so
 * vector L6 can run 113,000 calls in milliseconds: every measurement succeeds, and we record
 * where windows start and the `updates` counter there.
 */
import { describe, expect, it } from 'vitest';
import {
  advanceTraining,
  advanceWindow,
  beginCall,
  type ControlRules,
  finishWindow,
  initialControl,
  type LabpalControl,
  windowLength,
} from './labpal-control';
import { noiseFactor, scaleSchedule } from './noise-factor';
import { DEFAULT_BATCH_SIZE_SCHEDULE, type Fidelity, type ScheduleEntry } from './resolve-labpal-config';

const rules = (fidelity: Fidelity): ControlRules => ({
  reuseSteps: 1000,
  untrustedUpdates: 400,
  approxBatches: 10,
  maxConsecutiveFailures: 10,
  fidelity,
});

interface Window {
  readonly first: number;
  readonly last: number;
  readonly updates: number;
  readonly accumulation: number;
}

/** Runs `calls` calls in which every window succeeds; returns the windows. */
function simulate(schedule: readonly ScheduleEntry[], calls: number, fidelity: Fidelity): Window[] {
  const r = rules(fidelity);
  let control: LabpalControl = initialControl(schedule);
  const windows: Window[] = [];
  let start: { first: number; updates: number } | null = null;
  for (let i = 0; i < calls; i++) {
    control = beginCall(control, r).control;
    if (control.phase === 'train') {
      control = advanceTraining(control).control;
      continue;
    }
    control = advanceWindow(control);
    if (control.windowCall === 1) start = { first: control.call, updates: control.updates };
    if (control.windowCall === windowLength(control, r) && start) {
      windows.push({ ...start, last: control.call, accumulation: control.accumulation });
      control = finishWindow(control, 'moved', { hasStepSize: true, maxConsecutiveFailures: 10 }).control;
    }
  }
  return windows;
}

describe('L6. Control flow (T_b = 1, every measurement succeeds)', () => {
  it.each(['reference', 'exact'] as const)(
    '%s: windows [0–9], [411–420], [1420–1429], [2429–2438] with period 1009',
    (fidelity) => {
      const windows = simulate([[0, 1]], 3000, fidelity);
      // [0–9] at updates −1; U + 1 = 401 updates later [411–420]; then every K + n_a − 1 = 1009 calls.
      expect(windows.map((w) => [w.first, w.last])).toEqual([
        [0, 9],
        [411, 420],
        [1420, 1429],
        [2429, 2438],
      ]);
      expect(windows.map((w) => w.updates)).toEqual([-1, 401, 1401, 2401]);
    },
  );

  it.each(['reference', 'exact'] as const)(
    '%s: multipliers (1, 2, 4) force [75000–75019] (T_b = 2) and [112500–112539] (T_b = 4)',
    (fidelity) => {
      // CIFAR-100 as the reference's loader reports it: N = 44928, B = 128, ν = 1.1232 → (1, 2, 4).
      const nu = noiseFactor({ batchSize: 128, trainingSetSize: 44928, fidelity: 'exact' });
      expect(nu).toBeCloseTo(1.1232, 12);
      const schedule = scaleSchedule(DEFAULT_BATCH_SIZE_SCHEDULE, nu);
      expect(schedule).toEqual([
        [0, 1],
        [75000, 2],
        [112500, 4],
      ]);
      const windows = simulate(schedule, 113000, fidelity);
      const at = (first: number) => windows.find((w) => w.first === first);
      expect(at(75000)).toMatchObject({ last: 75019, accumulation: 2 });
      expect(at(112500)).toMatchObject({ last: 112539, accumulation: 4 });
      // The preceding periodic windows: 1420 + 72·1009 = 74068, and 77019 + 17·(2·1000 + 20 − 1) = 111342.
      const before = (first: number) => windows.filter((w) => w.first < first).at(-1);
      expect(before(75000)).toMatchObject({ first: 74068, last: 74077, accumulation: 1 });
      expect(before(112500)).toMatchObject({ first: 111342, last: 111361, accumulation: 2 });
    },
  );
});

describe('schedule entries (README “Noise factor and batch-size schedule”)', () => {
  // Windows [0–9], [411–420]: a step at 415 falls inside the second window.
  const inside: ScheduleEntry[] = [
    [0, 1],
    [415, 2],
    [2000, 4],
  ];

  it('reference: an entry missed inside a window blocks every later entry for ever', () => {
    const windows = simulate(inside, 5000, 'reference');
    expect(windows.every((w) => w.accumulation === 1)).toBe(true);
  });

  it('exact: the entry applies at the first free call, and later entries still fire', () => {
    const windows = simulate(inside, 5000, 'exact');
    expect(windows.find((w) => w.first === 421)).toMatchObject({ accumulation: 2, last: 440 });
    // T_b = 2 training from call 441: at k = 2000 one batch (of 1559) is pending, so k = 2001.
    expect(windows.find((w) => w.first === 2001)).toMatchObject({ accumulation: 4, last: 2040 });
  });

  it('exact: of several overdue entries the last wins and all are popped', () => {
    let control: LabpalControl = {
      ...initialControl([
        [5, 2],
        [6, 3],
        [50, 4],
      ]),
      call: 6,
      phase: 'measure',
      windowCall: 3,
    };
    // Mid-window at k = 7: nothing is due until the window ends.
    expect(beginCall(control, rules('exact')).control.schedule).toHaveLength(3);
    control = { ...control, windowCall: 0, phase: 'train', kStart: 7, updates: 3 };
    const begun = beginCall(control, rules('exact'));
    expect(begun).toMatchObject({ trigger: 'schedule', control: { accumulation: 3, phase: 'measure' } });
    expect(begun.control.schedule).toEqual([[50, 4]]);
  });

  it('waits for a partial accumulation to complete (c = 0)', () => {
    const control: LabpalControl = {
      ...initialControl([[10, 4]]),
      call: 9,
      accumulation: 2,
      accumulated: 1,
      updates: 5,
    };
    expect(beginCall(control, rules('exact')).trigger).toBeNull();
    const next = advanceTraining(beginCall(control, rules('exact')).control).control;
    expect(beginCall(next, rules('exact'))).toMatchObject({
      trigger: 'schedule',
      control: { call: 11, accumulation: 4 },
    });
  });
});

describe('triggers and window ends (README “Training call”, “Move, failure and abort”)', () => {
  it('a periodic trigger discards a partial accumulation', () => {
    const control: LabpalControl = {
      ...initialControl([]),
      call: 2008,
      kStart: 9,
      accumulation: 2,
      accumulated: 1,
      updates: 999,
    };
    // ⌊(2009 − 9)/2⌋ = 1000 ≥ K.
    expect(beginCall(control, rules('exact'))).toMatchObject({
      trigger: 'periodic',
      discarded: 1,
      control: { phase: 'measure', accumulated: 0 },
    });
  });

  it('re-measures once at updates = U + 1, even after giving up there', () => {
    const control: LabpalControl = { ...initialControl([]), call: 410, kStart: 9, updates: 401 };
    const begun = beginCall(control, rules('exact'));
    expect(begun.trigger).toBe('untrusted');
    const gaveUp = finishWindow({ ...begun.control, consecutiveFailures: 9 }, 'failed', {
      hasStepSize: true,
      maxConsecutiveFailures: 10,
    });
    expect(gaveUp).toMatchObject({ gaveUp: true, control: { phase: 'train', kStart: 411, consecutiveFailures: 0 } });
    expect(beginCall(gaveUp.control, rules('exact')).trigger).toBeNull();
  });

  it('retries after a failure and reports exhaustion without a step size', () => {
    const failing: LabpalControl = { ...initialControl([]), call: 3, phase: 'measure', consecutiveFailures: 1 };
    const retry = finishWindow(failing, 'failed', { hasStepSize: false, maxConsecutiveFailures: 3 });
    expect(retry).toMatchObject({
      exhausted: false,
      control: { phase: 'measure', windowCall: 0, consecutiveFailures: 2 },
    });
    expect(beginCall(retry.control, rules('exact')).trigger).toBe('retry');
    expect(finishWindow(retry.control, 'failed', { hasStepSize: false, maxConsecutiveFailures: 3 }).exhausted).toBe(
      true,
    );
  });
});
