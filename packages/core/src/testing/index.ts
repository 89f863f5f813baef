// @abs/core/testing — the shared backend conformance suite, a brute-force mock model and
// comparison helpers. Imports vitest: use it from tests only.
export { maxRelativeDifference } from '../tensor/max-relative-difference';
export {
  BATCH_NORM_SPEC,
  CONV_SPEC,
  type ConformanceCase,
  type ConformanceNetwork,
  type ConformanceOptions,
  conformanceDataset,
  describeBackendConformance,
} from './conformance';
export { createMockModel, type MockModelOptions } from './mock-model';
export { expectExactResume } from './resume';
export { createTrackingOps, type TrackingOps } from './tracking-ops';
