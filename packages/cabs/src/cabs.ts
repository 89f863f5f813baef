/**
 * Coupled Adaptive Batch Size (Balles, Romero & Hennig, "Coupling Adaptive Batch Sizes with
 * Learning Rates", UAI 2017), as specified in shared/specs/cabs.md §4.3. Plain SGD with a
 * constant learning rate α whose next batch size is m_{t+1} = c·α·ξ̄_t/(L̄_t + eps), rounded
 * half to even and clipped, where ξ = tr Σ is the population variance of per-example
 * gradients (Σ over every element of M − g∘g) and ξ̄, L̄ are un-corrected EMAs starting at 0
 * and 1. One model pass per step gives L, g and M; one fused reduction per tensor gives ξ.
 */
import {
  type Algorithm,
  type AlgorithmState,
  assertCapabilities,
  assertFinite,
  assertFiniteTensors,
  axpbyList,
  BatchTooSmallError,
  type Capability,
  createSamplerState,
  disposeList,
  EmptyBatchError,
  InvalidArgumentError,
  type Model,
  NonFiniteError,
  type SamplerState,
  type StepReport,
  sampleBatch,
  UnsupportedCapabilityError,
} from '@abs/core';
import { CABS_INITIAL_AVERAGES, varianceTrace } from '@abs/variance';
import { cabsRule } from './batch-size-rule';
import { InvalidLossError } from './invalid-loss-error';
import { type CabsOptions, resolveCabsConfig } from './resolve-cabs-config';

/** Per step, shared/specs/cabs.md §8. */
export interface CabsReport extends StepReport {
  /** L_t, the mean loss of this step's batch at w_t. */
  readonly loss: number;
  /** m_t, the examples actually in this step's batch. */
  readonly batchSize: number;
  /** m_{t+1}, the size of the next batch. */
  readonly nextBatchSize: number;
  /** ξ_t = tr Σ of this batch (population variance, unsmoothed). */
  readonly xi: number;
  /** ξ̄_t after this step's update. */
  readonly xiAvg: number;
  /** L̄_t after this step's update. */
  readonly lossAvg: number;
  /** c·α·ξ̄_t/(L̄_t + eps) before rounding and clipping (may be ±Infinity). */
  readonly rawBatchSize: number;
  /** α·ξ_t/L_t (Cockpit's diagnostic: no EMA, rounding or clipping); null when L_t = 0. */
  readonly cabsInstant: number | null;
}

/** Plain JSON (§8): no tensors, so a checkpoint is the parameters plus this object. */
export interface CabsState {
  readonly step: number;
  readonly examplesSeen: number;
  /** ξ̄, initially 0. */
  readonly xiAvg: number;
  /** L̄, initially 1. */
  readonly lossAvg: number;
  /** m_t for the next step, initially `initialBatchSize`. */
  readonly nextBatchSize: number;
  readonly sampler: SamplerState;
}

const REQUIRES: readonly Capability[] = ['loss', 'gradient', 'secondMoment'];

/**
 * Checks the batch size actually evaluated: 0 → EmptyBatchError, 1 → BatchTooSmallError.
 * A batch smaller than requested but ≥ 2 is fine; every mean uses the actual m.
 */
function checkBatchSize(size: number): void {
  if (size === 0) throw new EmptyBatchError({ where: 'cabs' });
  if (size < 2) {
    throw new BatchTooSmallError({
      where: 'cabs',
      required: 2,
      actual: size,
      reason: 'CABS needs ≥ 2 examples to estimate the gradient variance',
    });
  }
}

/**
 * ξ = Σ(M − g∘g) over all tensors, one fused reduction per tensor. If it is not finite, the
 * cause is named in the order of §7: `gradient[<param>]`, `secondMoment[<param>]`, `xi`.
 */
async function computeXi<T>(
  model: Model<T>,
  moments: { count: number; mean: T[]; secondMoment: T[] },
  step: number,
): Promise<number> {
  const { mean: gradient, secondMoment } = moments;
  const { total } = await varianceTrace(model.ops, moments);
  if (Number.isFinite(total)) return total;
  const names = model.parameterInfo.map((p) => p.name);
  await assertFiniteTensors(model.ops, gradient, { prefix: 'gradient', names, step });
  await assertFiniteTensors(model.ops, secondMoment, { prefix: 'secondMoment', names, step });
  throw new NonFiniteError({ quantity: 'xi', value: total, step });
}

/**
 * @param options learningRate (required), bsMin, bsMax, initialBatchSize, emaDecay, eps, c,
 *   fidelity (see `CabsOptions`)
 * @throws InvalidHyperParameterError for an invalid option, naming it
 * @example
 * const algorithm = cabs({ learningRate: 0.1 });
 * const run = await train(model, algorithm, { steps: 8000 });
 * run.trace.map((r) => r.batchSize); // [16, 16, …, growing as the loss falls]
 * @see shared/specs/cabs.md
 */
export function cabs(options: CabsOptions): Algorithm<CabsReport> {
  const config = resolveCabsConfig(options);
  const { learningRate } = config;
  return {
    name: 'cabs',
    config: { ...config },
    requires: REQUIRES,
    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      assertCapabilities(model, REQUIRES, 'needed by cabs');
      const shared = model.layers.find((layer) => (layer.kind as string) !== 'dense');
      if (config.fidelity === 'reference' && shared) {
        throw new UnsupportedCapabilityError({
          capability: 'secondMoment',
          backend: model.backend,
          detail: `cabs: fidelity 'reference' needs the reference code's second moment for '${shared.kind}' layers, which no abs model provides; use fidelity 'exact'`,
        });
      }
      const state: CabsState = {
        step: 0,
        examplesSeen: 0,
        xiAvg: CABS_INITIAL_AVERAGES.xi,
        lossAvg: CABS_INITIAL_AVERAGES.loss,
        nextBatchSize: Math.min(config.initialBatchSize, model.dataset.size),
        sampler: createSamplerState({ size: model.dataset.size, seed }),
      };
      return state;
    },
    async step<T>(model: Model<T>, raw: AlgorithmState) {
      const state = raw as CabsState;
      const step = state.step + 1;
      const bsMaxEff = Math.min(config.bsMax, model.dataset.size);
      const requested = Math.min(state.nextBatchSize, bsMaxEff);
      checkBatchSize(requested);
      const batch = sampleBatch(state.sampler, requested);
      const result = await model.evaluate(batch.indices, { gradient: true, secondMoment: true });
      const { gradient, secondMoment } = result;
      let decision: ReturnType<typeof cabsRule>;
      let xi: number;
      let parameters: T[];
      try {
        checkBatchSize(result.batchSize);
        if (!gradient || !secondMoment) {
          throw new InvalidArgumentError({
            argument: 'model',
            value: model.backend,
            message: `cabs: backend '${model.backend}' returned no ${gradient ? 'secondMoment' : 'gradient'}`,
          });
        }
        assertFinite(result.loss, 'loss', step);
        if (result.loss < 0) throw new InvalidLossError({ loss: result.loss, step });
        xi = await computeXi(model, { count: result.batchSize, mean: gradient, secondMoment }, step);
        decision = cabsRule(
          { xiAvg: state.xiAvg, lossAvg: state.lossAvg },
          { xi, loss: result.loss },
          { ...config, bsMaxEff, step },
        );
        // Plain SGD with this batch's gradient, taken at w_t (§4.3 step 8); applied below.
        parameters = axpbyList(model.ops, 1, model.parameters, -learningRate, gradient);
      } catch (error) {
        disposeList(model.ops, gradient);
        disposeList(model.ops, secondMoment);
        throw error;
      }
      disposeList(model.ops, gradient);
      disposeList(model.ops, secondMoment);
      model.setParameters(parameters);
      const examplesSeen = batch.state.examplesSeen;
      const next: CabsState = {
        step,
        examplesSeen,
        xiAvg: decision.xiAvg,
        lossAvg: decision.lossAvg,
        nextBatchSize: decision.nextBatchSize,
        sampler: batch.state,
      };
      const report: CabsReport = {
        step,
        loss: result.loss,
        batchSize: result.batchSize,
        nextBatchSize: decision.nextBatchSize,
        learningRate,
        examplesSeen,
        xi,
        xiAvg: decision.xiAvg,
        lossAvg: decision.lossAvg,
        rawBatchSize: decision.rawBatchSize,
        cabsInstant: result.loss === 0 ? null : (learningRate * xi) / result.loss,
      };
      return { state: next, report };
    },
  };
}
