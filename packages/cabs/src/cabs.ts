/**
 * Coupled Adaptive Batch Size (Balles, Romero & Hennig, "Coupling Adaptive Batch Sizes with
 * Learning Rates", UAI 2017), as specified in README “One step”. Plain SGD with a
 * constant learning rate α whose next batch size is m_{t+1} = c·α·ξ̄_t/(L̄_t + eps), rounded
 * half to even and clipped, where ξ = tr Σ is the population variance of per-example
 * gradients (Σ over every element of M − g∘g) and ξ̄, L̄ are un-corrected EMAs starting at 0
 * and 1. One model pass per step gives L, g and either per-example squared gradient norms
 * (when the model has `perExampleGradientNormSquared`: ξ = Σ_p [(1/m)Σ_i ‖g_i,p‖² − ‖g_p‖²],
 * O(m·width) in the backend) or the second moments M (ξ = Σ(M − g∘g), a product as large as
 * the weight gradient); the two are the same ξ in exact arithmetic.
 */
import {
  type Algorithm,
  type AlgorithmState,
  assertCapabilities,
  assertFinite,
  assertFiniteTensors,
  assertFiniteUpdate,
  axpbyList,
  BatchTooSmallError,
  type Capability,
  checker,
  checkSamplerState,
  checkStateInteger,
  checkStateNumber,
  createSamplerState,
  disposeList,
  EmptyBatchError,
  InvalidArgumentError,
  type Model,
  NonFiniteError,
  type SampledBatch,
  type SamplerState,
  type StepReport,
  sampleBatch,
  stateRecord,
} from '@abs/core';
import { CABS_INITIAL_AVERAGES, varianceTrace, varianceTraceFromNorms } from '@abs/variance';
import { cabsRule } from './batch-size-rule';
import { InvalidLossError } from './invalid-loss-error';
import { type CabsOptions, resolveCabsConfig } from './resolve-cabs-config';

/** Per step, README “State and report”. */
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

/** Plain JSON (README “State and report”): no tensors, so a checkpoint is the parameters plus this object. */
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

/** Always needed; ξ also needs `perExampleGradientNormSquared` (preferred) or `secondMoment`. */
const REQUIRES: readonly Capability[] = ['loss', 'gradient'];
const NORMS: Capability = 'perExampleGradientNormSquared';

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
 * ξ from the pass's statistics: Σ(M − g∘g), one fused reduction per tensor, or from the
 * per-example norms. If it is not finite, the cause is named in the order of README “Errors”:
 * `gradient[<param>]`, `secondMoment[<param>]` (for norms: the tensor whose (1/m)Σ_i ‖g_i‖²,
 * which is Σ_j M_j, is not finite), `xi`.
 */
async function computeXi<T>(
  model: Model<T>,
  moments: {
    count: number;
    mean: T[];
    secondMoment?: T[] | undefined;
    exampleNormSquared?: Float64Array[] | undefined;
  },
  step: number,
): Promise<number> {
  const { count, mean: gradient, secondMoment, exampleNormSquared } = moments;
  const { total } = exampleNormSquared
    ? await varianceTraceFromNorms(model.ops, { count, mean: gradient, exampleNormSquared })
    : await varianceTrace(model.ops, { count, mean: gradient, secondMoment: secondMoment ?? [] });
  if (Number.isFinite(total)) return total;
  const names = model.parameterInfo.map((p) => p.name);
  await assertFiniteTensors(model.ops, gradient, { prefix: 'gradient', names, step });
  if (secondMoment) await assertFiniteTensors(model.ops, secondMoment, { prefix: 'secondMoment', names, step });
  exampleNormSquared?.forEach((values, p) => {
    const sum = values.reduce((s, v) => s + v, 0) / count;
    if (!Number.isFinite(sum)) {
      throw new NonFiniteError({ quantity: `secondMoment[${names[p] ?? p}]`, value: sum, step });
    }
  });
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
 * @see README
 */
export function cabs(options: CabsOptions): Algorithm<CabsReport> {
  const config = resolveCabsConfig(options);
  const fused = checker('cabs').boolean('fused', options.fused ?? true);
  const { learningRate } = config;
  /**
   * The two fidelities differ only on conv layers (dense layers have one position): there
   * `'reference'` asks for the authors' moments, whose cross-position terms are dropped.
   */
  const usesReferenceMoments = (model: Model<unknown>) =>
    config.fidelity === 'reference' && model.layers.some((layer) => layer.kind === 'conv2d');
  const bsMaxEffOf = (model: Model<unknown>) => Math.min(config.bsMax, model.dataset.size);

  /** The state and report after a step whose update is already applied. */
  const advance = (
    state: CabsState,
    batch: SampledBatch,
    observed: { readonly loss: number; readonly batchSize: number; readonly xi: number },
    bsMaxEff: number,
  ) => {
    const step = state.step + 1;
    const { loss, xi } = observed;
    const decision = cabsRule(
      { xiAvg: state.xiAvg, lossAvg: state.lossAvg },
      { xi, loss },
      { ...config, bsMaxEff, step },
    );
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
      loss,
      batchSize: observed.batchSize,
      nextBatchSize: decision.nextBatchSize,
      learningRate,
      examplesSeen,
      xi,
      xiAvg: decision.xiAvg,
      lossAvg: decision.lossAvg,
      rawBatchSize: decision.rawBatchSize,
      cabsInstant: loss === 0 ? null : (learningRate * xi) / loss,
    };
    return { state: next, report };
  };

  /**
   * The whole step in the backend's own pass: update, loss, ‖g‖² and ξ, with only the scalars
   * coming back. `undefined` when the backend refused the update (a loss, ξ or new parameter
   * not finite, or a negative loss): the model is unchanged and the reference path, which
   * names the quantity, runs instead. With ξ and L finite the rule cannot fail, so nothing
   * can throw after the update is applied.
   */
  const fusedStep = async <T>(model: Model<T>, state: CabsState, batch: SampledBatch, reference: boolean) => {
    const sgdStep = model.sgdStep?.bind(model);
    if (!sgdStep) return undefined;
    const taken = await sgdStep(
      batch.indices,
      { learningRate },
      { gradientVariance: reference ? { fidelity: 'reference' } : true },
    );
    if (!taken.applied) return undefined;
    const xi = taken.gradientVariance;
    if (typeof xi !== 'number') {
      throw new InvalidArgumentError({
        argument: 'model',
        value: model.backend,
        message: `cabs: backend '${model.backend}' took an sgdStep but returned no gradientVariance`,
      });
    }
    return advance(state, batch, { loss: taken.loss, batchSize: batch.indices.length, xi }, bsMaxEffOf(model));
  };

  return {
    name: 'cabs',
    config: { ...config },
    requires: REQUIRES,
    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      assertCapabilities(model, REQUIRES, 'needed by cabs');
      if (usesReferenceMoments(model)) {
        assertCapabilities(model, ['secondMoment'], "needed by cabs with fidelity 'reference' on conv layers");
      } else if (!model.capabilities.has(NORMS)) {
        assertCapabilities(model, ['secondMoment'], `needed by cabs (or '${NORMS}')`);
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
    checkState<T>(model: Model<T>, raw: AlgorithmState) {
      const state = stateRecord(raw, '');
      checkStateInteger(state.step, 'step');
      checkStateInteger(state.examplesSeen, 'examplesSeen');
      checkStateNumber(state.xiAvg, 'xiAvg');
      checkStateNumber(state.lossAvg, 'lossAvg', { min: 0 });
      checkStateInteger(state.nextBatchSize, 'nextBatchSize', Math.min(config.bsMin, model.dataset.size));
      checkSamplerState(state.sampler, 'resume.state.sampler', model.dataset.size);
    },
    async step<T>(model: Model<T>, raw: AlgorithmState) {
      const state = raw as CabsState;
      const step = state.step + 1;
      const bsMaxEff = bsMaxEffOf(model);
      const requested = Math.min(state.nextBatchSize, bsMaxEff);
      checkBatchSize(requested);
      const batch = sampleBatch(state.sampler, requested);
      checkBatchSize(batch.indices.length);
      const reference = usesReferenceMoments(model);
      if (fused) {
        const taken = await fusedStep(model, state, batch, reference);
        if (taken) return taken;
      }
      const viaNorms = !reference && model.capabilities.has(NORMS);
      const result = await model.evaluate(
        batch.indices,
        viaNorms
          ? { gradient: true, [NORMS]: true }
          : { gradient: true, secondMoment: reference ? { fidelity: 'reference' } : true },
      );
      const { gradient, secondMoment, perExampleGradientNormSquared: exampleNormSquared } = result;
      let xi: number;
      let parameters: T[];
      let advanced: ReturnType<typeof advance>;
      try {
        checkBatchSize(result.batchSize);
        const variance = viaNorms ? exampleNormSquared : secondMoment;
        if (!gradient || !variance) {
          throw new InvalidArgumentError({
            argument: 'model',
            value: model.backend,
            message: `cabs: backend '${model.backend}' returned no ${gradient ? (viaNorms ? NORMS : 'secondMoment') : 'gradient'}`,
          });
        }
        assertFinite(result.loss, 'loss', step);
        if (result.loss < 0) throw new InvalidLossError({ loss: result.loss, step });
        xi = await computeXi(
          model,
          { count: result.batchSize, mean: gradient, secondMoment, exampleNormSquared },
          step,
        );
        advanced = advance(state, batch, { loss: result.loss, batchSize: result.batchSize, xi }, bsMaxEff);
        // Plain SGD with this batch's gradient, taken at w_t (README “One step” step 8); applied below.
        parameters = axpbyList(model.ops, 1, model.parameters, -learningRate, gradient);
        await assertFiniteUpdate(model, parameters, { step, discard: parameters });
      } catch (error) {
        disposeList(model.ops, gradient);
        disposeList(model.ops, secondMoment);
        throw error;
      }
      disposeList(model.ops, gradient);
      disposeList(model.ops, secondMoment);
      model.setParameters(parameters);
      return advanced;
    },
  };
}
