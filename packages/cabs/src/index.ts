// @abs/cabs — Coupled Adaptive Batch Size (Balles, Romero & Hennig, UAI 2017): plain SGD whose
// batch size follows m = α·tr Σ / L (README).
export {
  type BatchSizeBounds,
  type CabsAverages,
  type CabsDecision,
  type CabsRuleConfig,
  cabsRule,
  nextBatchSize,
  type RawBatchSizeInput,
  rawBatchSize,
} from './batch-size-rule';
export { type CabsReport, type CabsState, cabs } from './cabs';
export { InvalidLossError } from './invalid-loss-error';
export { type CabsFidelity, type CabsOptions, type ResolvedCabsConfig, resolveCabsConfig } from './resolve-cabs-config';
export { roundHalfEven } from './round-half-even';
