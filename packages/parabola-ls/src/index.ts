// @abs/parabola-ls — LABPAL, the large-batch parabolic line search (Mutschler, Laube & Zell,
// arXiv 2108.13880), and its per-step predecessor PAL (NeurIPS 2020). The README states both
// methods, their defaults and what `fidelity` reproduces.

export { labpal } from './labpal';
export type { LabpalPhase, WindowTrigger } from './labpal-control';
export type { LabpalMeasurement, LabpalReport } from './labpal-report';
export { MeasurementFailedError } from './measurement-failed-error';
export { noiseFactor, scaleSchedule } from './noise-factor';
export { type PalReport, pal } from './pal';
export { palCurvature, selectPalStep } from './pal-step';
export { fitParabola, type LinePoints } from './parabola-fit';
export {
  DEFAULT_BATCH_SIZE_SCHEDULE,
  type Fidelity,
  type LabpalMode,
  type LabpalOptions,
  type ResolvedLabpalConfig,
  resolveLabpalConfig,
  type ScheduleEntry,
} from './resolve-labpal-config';
export { type PalOptions, type ResolvedPalConfig, resolvePalConfig } from './resolve-pal-config';
export {
  averageStep,
  growMaxStepSize,
  nanmean,
  proposeStep,
  type StepHistory,
  type StepProposal,
} from './step-selection';
