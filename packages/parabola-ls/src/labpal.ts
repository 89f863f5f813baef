/**
 * LABPAL, the large-batch parabolic line search of Mutschler, Laube & Zell (arXiv 2108.13880):
 * rarely, fit a parabola to the full-batch loss along the negative (momentum) gradient,
 * sampled on n_a·T_b stored batches, and reuse the averaged step for ~K plain (N)SGD updates,
 * accumulating gradients over T_b batches late in training. One `step()` is one call of the
 * paper (one batch of B examples). The package README states the method, its defaults and the
 * quirks `fidelity: 'reference'` reproduces.
 */
import {
  type Algorithm,
  type AlgorithmState,
  assertCapabilities,
  type Capability,
  checker,
  createSamplerState,
  type Model,
  sampleBatch,
  zerosLikeList,
} from '@abs/core';
import { checkLabpalState } from './check-state';
import type { LabpalCall } from './labpal-call';
import { beginCall, type ControlRules, initialControl } from './labpal-control';
import { measurementCall } from './labpal-measurement-call';
import type { LabpalReport } from './labpal-report';
import { emptyAccumulator, emptyWindow, type LabpalState, readLabpalState } from './labpal-state';
import { trainingCall } from './labpal-training-call';
import { noiseFactor, scaleSchedule } from './noise-factor';
import { type LabpalOptions, resolveLabpalConfig } from './resolve-labpal-config';
import { TensorLedger } from './tensor-ledger';

const REQUIRES: readonly Capability[] = ['loss', 'gradient', 'evaluateAt'];

/**
 * @param options every hyper-parameter of README “API” (see `LabpalOptions`); all optional
 * @returns an `Algorithm` whose reports are `LabpalReport`s
 * @example
 * const algorithm = labpal({ mode: 'NSGD', batchSize: 128 });
 * const run = await train(model, algorithm, { steps: 20000 });
 * run.trace.at(-1)?.stepSize; // s̄, e.g. 0.9
 */
export function labpal(options: LabpalOptions = {}): Algorithm<LabpalReport> {
  const config = resolveLabpalConfig(options);
  const rules: ControlRules = config;
  return {
    name: 'labpal',
    config,
    requires: REQUIRES,
    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      assertCapabilities(model, REQUIRES, 'needed by labpal');
      const size = model.dataset.size;
      checker('labpal').integer('batchSize', config.batchSize, {
        lte: size,
        names: { lte: `the dataset size ${size}` },
      });
      const factor =
        config.noiseFactor ??
        noiseFactor({
          batchSize: config.batchSize,
          trainingSetSize: config.trainingSetSize ?? size,
          fidelity: config.fidelity,
        });
      const state: LabpalState<T> = {
        control: initialControl(scaleSchedule(config.batchSizeSchedule, factor)),
        sampler: createSamplerState({ size, seed }),
        maxStepSize: config.maxStepSize,
        stepSize: null,
        learningRate: null,
        history: { steps: [], learningRates: [] },
        lastLearningRate: 0,
        training: emptyAccumulator(),
        window: emptyWindow(),
        momentum: config.momentum === 0 ? null : zerosLikeList(model.ops, model.parameters),
        forwardPasses: 0,
      };
      return state;
    },
    checkState: (model, state) => checkLabpalState(model, state, config),
    async step<T>(model: Model<T>, raw: AlgorithmState) {
      const input = readLabpalState<T>(raw, config.maxStepSize);
      const begun = beginCall(input.control, rules);
      const ledger = new TensorLedger(model.ops);
      const state = begun.discarded > 0 ? { ...input, training: emptyAccumulator<T>() } : input;
      if (begun.discarded > 0) ledger.discard(input.training.gradient);
      const call: LabpalCall<T> = {
        model,
        config,
        state,
        control: begun.control,
        trigger: begun.trigger,
        batch: sampleBatch(input.sampler, config.batchSize),
        ledger,
      };
      try {
        const result = begun.control.phase === 'train' ? await trainingCall(call) : await measurementCall(call);
        ledger.commit();
        return result;
      } catch (error) {
        ledger.rollback();
        throw error;
      }
    },
  };
}
