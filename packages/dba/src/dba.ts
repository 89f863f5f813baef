/**
 * Dynamic Batch Adaptation (Simionescu, Stoica & Herscovici 2022, arXiv 2208.00815), as the
 * documented reconstruction of README. Each step draws N examples and makes ONE
 * model pass that returns the per-layer N×N Gram matrices K_ℓ of per-example gradients, hands
 * them to the selection (greedy backward elimination per layer), and applies the resulting
 * per-example weights in the same pass: ĝ_ℓ = Σ_i w_ℓ,i g_i^ℓ. ĝ replaces the mini-batch
 * gradient in a base optimiser from @abs/core, whose state is otherwise untouched.
 */
import {
  type Algorithm,
  type AlgorithmState,
  assertCapabilities,
  assertFinite,
  assertFiniteTensors,
  assertFiniteUpdate,
  BatchTooSmallError,
  type Capability,
  checkOptimizerState,
  checkSamplerState,
  checkStateInteger,
  createSamplerState,
  disposeList,
  disposeOptimizerState,
  EmptyBatchError,
  InvalidArgumentError,
  type Model,
  type OptimizerState,
  type SamplerState,
  type StepReport,
  sampleBatch,
  stateRecord,
} from '@abs/core';
import { type DbaOptions, resolveDbaConfig } from './resolve-dba-config';
import { type LayerSelection, selectLayers } from './select-layers';
import { defaultMinSubset } from './select-subset';

export interface DbaReport extends StepReport {
  /** N, the candidate pool actually drawn: `batchSize`, or the dataset size when smaller. */
  readonly batchSize: number;
  /** The configured `batchSize` (differs from `batchSize` when the dataset is smaller). */
  readonly requestedBatchSize: number;
  /** Epoch of the batch's last example. */
  readonly epoch: number;
  /** m_min used for this pool. */
  readonly minSubset: number;
  /** |S_ℓ| per layer. */
  readonly selected: readonly number[];
  /** Mean of `selected`. */
  readonly meanSelected: number;
  /** Metric of the whole pool and of the selected subset, per layer (one entry with `scope: 'global'`). */
  readonly metricBefore: readonly number[];
  readonly metricAfter: readonly number[];
}

/** Plain JSON apart from the optimiser's tensors; selection itself is stateless. */
interface DbaState<T> {
  readonly step: number;
  readonly sampler: SamplerState;
  readonly optimizer: OptimizerState<T>;
}

const REQUIRES: readonly Capability[] = ['loss', 'gram', 'exampleWeights'];

/** N = min(batchSize, dataset size), which must be ≥ 2. */
function candidatePool(batchSize: number, datasetSize: number): number {
  if (datasetSize < 1) throw new EmptyBatchError({ where: 'dba' });
  const size = Math.min(batchSize, datasetSize);
  if (size < 2) {
    throw new BatchTooSmallError({
      where: 'dba',
      required: 2,
      actual: size,
      reason: 'DBA needs ≥ 2 examples to select from',
    });
  }
  return size;
}

/**
 * @param options batchSize, metric, mode, tau, minSubset, update, scope, optimizer (see `DbaOptions`)
 * @example
 * const algorithm = dba({ batchSize: 64, optimizer: sgd({ learningRate: 0.1 }) });
 * const run = await train(model, algorithm, { steps: 1000 });
 * run.trace.at(-1)?.selected; // e.g. [61, 58]: examples kept per layer in the last step
 * @see README
 */
export function dba(options: DbaOptions = {}): Algorithm<DbaReport> {
  const config = resolveDbaConfig(options);
  const { batchSize, optimizer } = config;
  return {
    name: 'dba',
    config: {
      batchSize,
      metric: config.metric,
      mode: config.mode,
      tau: config.tau,
      minSubset: config.minSubset,
      update: config.update,
      scope: config.scope,
      optimizer: { name: optimizer.name, ...optimizer.config },
    },
    requires: REQUIRES,
    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      assertCapabilities(model, REQUIRES, 'needed by dba');
      candidatePool(batchSize, model.dataset.size);
      const state: DbaState<T> = {
        step: 0,
        sampler: createSamplerState({ size: model.dataset.size, seed }),
        optimizer: optimizer.init(model.ops, model.parameters),
      };
      return state;
    },
    checkState<T>(model: Model<T>, raw: AlgorithmState) {
      const state = stateRecord(raw, '');
      checkStateInteger(state.step, 'step');
      checkSamplerState(state.sampler, 'resume.state.sampler', model.dataset.size);
      checkOptimizerState(model, optimizer, state.optimizer, 'optimizer');
    },
    async step<T>(model: Model<T>, raw: AlgorithmState) {
      const state = raw as DbaState<T>;
      const step = state.step + 1;
      const size = candidatePool(batchSize, model.dataset.size);
      const minSubset = config.minSubset ?? defaultMinSubset(size);
      const batch = sampleBatch(state.sampler, size);
      // Selection runs inside the pass; its failure is kept so a non-finite loss is named first.
      let selection: LayerSelection | undefined;
      let failure: unknown;
      const result = await model.evaluate(batch.indices, {
        gram: true,
        exampleWeights: (grams) => {
          try {
            selection = selectLayers(grams, { ...config, minSubset, size, layers: model.layers.length, step });
            return selection.weights;
          } catch (error) {
            failure = error;
            return new Float32Array(size);
          }
        },
      });
      const gradient = result.weightedGradient;
      try {
        assertFinite(result.loss, 'loss', step);
        if (failure !== undefined) throw failure;
        if (!selection || !gradient) {
          throw new InvalidArgumentError({
            argument: 'model',
            value: model.backend,
            message: `dba: backend '${model.backend}' returned no weighted gradient for exampleWeights computed from the Gram`,
          });
        }
        await assertFiniteTensors(model.ops, gradient, {
          prefix: 'gradient',
          names: model.parameterInfo.map((p) => p.name),
          step,
        });
      } catch (error) {
        disposeList(model.ops, gradient);
        throw error;
      }
      const update = optimizer.update(model.ops, { gradient, parameters: model.parameters, state: state.optimizer });
      disposeList(model.ops, gradient);
      await assertFiniteUpdate(model, update.parameters, { step, discard: update });
      disposeOptimizerState(model.ops, state.optimizer);
      model.setParameters(update.parameters);
      const next: DbaState<T> = { step, sampler: batch.state, optimizer: update.state };
      const { selected, metricBefore, metricAfter } = selection;
      const report: DbaReport = {
        step,
        loss: result.loss,
        batchSize: size,
        requestedBatchSize: batchSize,
        learningRate: update.state.learningRate,
        examplesSeen: batch.state.examplesSeen,
        epoch: batch.epoch,
        minSubset,
        selected,
        meanSelected: selected.reduce((a, b) => a + b, 0) / selected.length,
        metricBefore,
        metricAfter,
      };
      return { state: next, report };
    },
  };
}
