// @abs/dba — Dynamic Batch Adaptation: per-layer selection of the examples whose gradients
// enter each update, from the batch's per-layer Gram matrices (README).
export { type DbaReport, dba } from './dba';
export { type GramSummary, gramSize, sumGrams, summarizeGram } from './gram-summary';
export { type DbaOptions, type DbaScope, type ResolvedDbaConfig, resolveDbaConfig } from './resolve-dba-config';
export { type LayerSelection, type LayerSelectionOptions, selectLayers } from './select-layers';
export {
  type DbaMode,
  defaultMinSubset,
  type Removal,
  type Selection,
  type SelectionOptions,
  selectSubset,
} from './select-subset';
export { DBA_METRICS, type DbaMetric, subsetMetric } from './subset-metric';
export { type DbaUpdate, subsetWeights } from './subset-weights';
