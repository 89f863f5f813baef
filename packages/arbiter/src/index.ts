// @abs/arbiter — Arbiter: a small agent learns, from a meta-objective on validation data, which
// batch size the next epoch trains with (MacLellan & Dong 2022; README).

export { type AdamHdOptions, adamHd } from './adam-hd';
export {
  AGENT_HIDDEN_SIZES,
  agentInitialParameters,
  agentSpec,
  CONV_AGENT_FILTERS,
  convAgentSpec,
  resolveAgentKind,
} from './agent-spec';
export { type ArbiterAlgorithm, arbiter } from './arbiter';
export type { ArbiterReport } from './arbiter-report';
export type { ArbiterState } from './arbiter-state';
export { type BatchSizeRange, batchSizeOf, type Fidelity, logitOfBatchSize, sigmoid } from './batch-size-map';
export { type DataSplit, splitDataset, updatesPerDecision } from './data-split';
export { decideBatchSize, drawAlpha, type EpochDecision } from './epoch-decision';
export { type HostAdamConfig, type HostAdamState, hostAdamInit, hostAdamStep } from './host-adam';
export { type HypergradientOptimizer, isHypergradientOptimizer } from './hypergradient-optimizer';
export { injectResponse, type MetaGradientInput, type MetaGradients, metaGradients } from './meta-gradient';
export { argmaxFirst, type Candidates, mixLogits, routeToOutputs, softmax, sortedCandidates } from './mixture';
export {
  type AgentKind,
  type ArbiterOptions,
  type ArbiterPreset,
  type FixedSchedule,
  type ResolvedArbiterConfig,
  resolveArbiterConfig,
  type WarmupInput,
} from './resolve-arbiter-config';
export { type SgdHdOptions, sgdHd } from './sgd-hd';
export { smoothL1, smoothL1Gradient } from './warmup';
export { WarmupNotConvergedError } from './warmup-not-converged-error';
