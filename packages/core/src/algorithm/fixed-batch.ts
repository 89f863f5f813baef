/**
 * The baseline: a constant batch size and a base optimiser (sgd, momentum, adam).
 * Each step draws `batchSize` examples, takes the mean gradient and applies one update.
 */
import { checker } from '../config/validate';
import type { Model } from '../model/model';
import { rejectUnknownOptions } from '../optim/known-options';
import { disposeOptimizerState, type Optimizer, type OptimizerState } from '../optim/optimizer';
import { disposeList } from '../tensor/parameter-list';
import type { Algorithm, AlgorithmState, StepReport } from './algorithm';
import { checkSamplerState, createSamplerState, type SamplerState, sampleBatch } from './batch-sampler';
import { checkOptimizerState, checkStateInteger, stateRecord } from './check-state';
import { assertFinite, assertFiniteTensors, assertFiniteUpdate } from './finite';

export interface FixedBatchOptions {
  readonly optimizer: Optimizer;
  readonly batchSize: number;
}

export interface FixedBatchReport extends StepReport {
  readonly epoch: number;
}

interface FixedBatchState<T> {
  readonly step: number;
  readonly sampler: SamplerState;
  readonly optimizer: OptimizerState<T>;
}

/**
 * @example
 * const algorithm = fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 64 });
 * await train(model, algorithm, { steps: 500 });
 */
export function fixedBatch(options: FixedBatchOptions): Algorithm<FixedBatchReport> {
  const c = checker('fixedBatch');
  rejectUnknownOptions(c, options, ['optimizer', 'batchSize']);
  const batchSize = c.integer('batchSize', options?.batchSize, { gte: 1 });
  const optimizer = options.optimizer;
  c.check(
    typeof optimizer?.update === 'function',
    'optimizer',
    optimizer,
    'an optimizer from @abs/core (sgd, momentum, adam)',
  );
  return {
    name: 'fixed-batch',
    config: { batchSize, optimizer: optimizer.name, ...optimizer.config },
    requires: ['loss', 'gradient'],
    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      c.integer('batchSize', batchSize, {
        lte: model.dataset.size,
        names: { lte: `the dataset size ${model.dataset.size}` },
      });
      const state: FixedBatchState<T> = {
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
      const state = raw as FixedBatchState<T>;
      const step = state.step + 1;
      const batch = sampleBatch(state.sampler, batchSize);
      const report = (loss: number, learningRate: number): FixedBatchReport => ({
        step,
        loss,
        batchSize: batch.indices.length,
        learningRate,
        examplesSeen: batch.state.examplesSeen,
        epoch: batch.epoch,
      });
      if (optimizer.fusedSgd && model.sgdStep) {
        const learningRate = optimizer.learningRate;
        const fused = await model.sgdStep(batch.indices, { learningRate, ...optimizer.fusedSgd });
        if (fused.applied) {
          const sgdState = { step: state.optimizer.step + 1, learningRate, slots: state.optimizer.slots };
          const next: FixedBatchState<T> = { step, sampler: batch.state, optimizer: sgdState };
          return { state: next, report: report(fused.loss, learningRate) };
        }
        // Not finite: the unfused pass below names the quantity (and the parameter) that is not.
      }
      const result = await model.evaluate(batch.indices, { gradient: true });
      const gradient = result.gradient as T[];
      try {
        assertFinite(result.loss, 'loss', step);
        await assertFiniteTensors(model.ops, gradient, {
          prefix: 'gradient',
          names: model.parameterInfo.map((p) => p.name),
          step,
        });
      } catch (error) {
        disposeList(model.ops, gradient);
        throw error;
      }
      const update = optimizer.update(model.ops, {
        gradient,
        parameters: model.parameters,
        state: state.optimizer,
      });
      disposeList(model.ops, gradient);
      await assertFiniteUpdate(model, update.parameters, { step, discard: update });
      disposeOptimizerState(model.ops, state.optimizer);
      model.setParameters(update.parameters);
      const next: FixedBatchState<T> = { step, sampler: batch.state, optimizer: update.state };
      return { state: next, report: report(result.loss, update.state.learningRate) };
    },
  };
}
