// @abs/variance — gradient-moment statistics over any backend's TensorOps: per-parameter
// variance, its trace ξ = tr Σ, the gradient noise scale and signal-to-noise, running
// averages, and sums that data-parallel workers merge by addition.
export {
  type Conv1dMomentInput,
  convSecondMoment,
  type SecondMomentFidelity,
  sharedParameterSecondMoment,
} from './conv-second-moment';
export { gradientNoiseScale, type NoiseInput, signalToNoise } from './gradient-noise-scale';
export {
  type GradientStatistics,
  type GradientStatisticsOptions,
  gradientStatistics,
  type NoiseSummary,
} from './gradient-statistics';
export {
  addMomentSums,
  type BatchMoments,
  disposeMoments,
  type MomentSums,
  momentsFromSums,
  toMomentSums,
} from './moment-sums';
export { type GradientMoments, type VarianceCorrection, varianceFactor } from './moments';
export { parameterVariance, type VarianceOptions } from './parameter-variance';
export {
  CABS_INITIAL_AVERAGES,
  exponentialAverage,
  type RunningAverage,
  type RunningAverageOptions,
  runningAverage,
  runningAverageEstimate,
  updateRunningAverage,
} from './running-average';
export { signedRatio } from './signed-ratio';
export { type NormMoments, type VarianceTrace, varianceTrace, varianceTraceFromNorms } from './variance-trace';
