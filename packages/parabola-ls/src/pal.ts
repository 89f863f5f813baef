/**
 * PAL, the per-step parabolic approximation line search (Mutschler & Zell, NeurIPS 2020; the
 * package README states it). Each step: loss L0 and gradient g on the batch,
 * d = g (or β·d_prev + g), u = −d/‖d‖, one probe L_μ on the same batch at θ + μ·u, the parabola
 * through (0, L0) with slope b and (μ, L_μ), and a jump to θ + s·u. Probe distance as in LABPAL:
 * the one actually travelled by the float32 parameters.
 */
import {
  type Algorithm,
  type AlgorithmState,
  assertCapabilities,
  assertFinite,
  assertFiniteUpdate,
  axpbyList,
  type Capability,
  checker,
  createSamplerState,
  dotList,
  EmptyBatchError,
  type Model,
  type SamplerState,
  type StepReport,
  sampleBatch,
} from '@abs/core';
import { checkPalState } from './check-state';
import { checkedSquaredNorm } from './direction-norm';
import { checkedMove, prepareLine } from './line-ops';
import { probePoint } from './line-probe';
import { palCurvature, selectPalStep } from './pal-step';
import { type PalOptions, resolvePalConfig } from './resolve-pal-config';
import { TensorLedger } from './tensor-ledger';

export interface PalReport extends StepReport {
  /** s, the distance moved along u (0 after a non-finite probe). */
  readonly stepSize: number;
  /** −b/(2a), the fitted minimum before α and the clip; null when the line is not convex with b < 0. */
  readonly sRaw: number | null;
  readonly a: number;
  readonly b: number;
  /** ‖d‖ (ε when 0). */
  readonly directionNorm: number;
  /** L_μ, the batch's loss at the probe. */
  readonly probeLoss: number;
  /** Forward passes on a batch so far (two per step). */
  readonly forwardPasses: number;
  /** Set when a or b was not finite: `exact` stays at θ, `reference` stays at the probe. */
  readonly nonFiniteProbe?: true;
}

interface PalState<T> {
  readonly step: number;
  readonly sampler: SamplerState;
  /** d_prev (null when β = 0). */
  readonly direction: T[] | null;
  readonly forwardPasses: number;
}

const REQUIRES: readonly Capability[] = ['loss', 'gradient', 'evaluateAt'];

/**
 * @param options μ, s_max, β, α, ε, the derivative form, fidelity and the batch size (see `PalOptions`)
 * @example
 * const run = await train(model, pal({ measuringStep: 1, directionFactor: 0 }), { steps: 1000 });
 * run.trace.at(-1)?.stepSize; // s of the last step
 */
export function pal(options: PalOptions = {}): Algorithm<PalReport> {
  const config = resolvePalConfig(options);
  const beta = config.directionFactor;
  return {
    name: 'pal',
    config,
    requires: REQUIRES,
    async init<T>(model: Model<T>, { seed }: { seed: number }): Promise<AlgorithmState> {
      assertCapabilities(model, REQUIRES, 'needed by pal');
      const size = model.dataset.size;
      checker('pal').integer('batchSize', config.batchSize, { lte: size, names: { lte: `the dataset size ${size}` } });
      const state: PalState<T> = {
        step: 0,
        sampler: createSamplerState({ size, seed }),
        direction: null,
        forwardPasses: 0,
      };
      return state;
    },
    checkState: (model, state) => checkPalState(model, state, beta),
    async step<T>(model: Model<T>, raw: AlgorithmState) {
      const state = raw as PalState<T>;
      const { ops } = model;
      const step = state.step + 1;
      const batch = sampleBatch(state.sampler, config.batchSize);
      const ledger = new TensorLedger(ops);
      try {
        const result = await model.evaluate(batch.indices, { gradient: true });
        const gradient = ledger.create(result.gradient as T[]);
        if (result.batchSize === 0) throw new EmptyBatchError({ where: `pal (step ${step})` });
        assertFinite(result.loss, 'loss', step);
        const direction =
          beta === 0 || state.direction === null
            ? gradient
            : ledger.create(axpbyList(ops, beta, state.direction, 1, gradient));
        const kept = beta === 0 ? null : direction;
        // ‖d‖² also checks that g is finite; with d = g it is ⟨g, d⟩ as well.
        const squared = await checkedSquaredNorm(model, { gradient, direction, step });
        const norm = Math.sqrt(squared);
        const n = norm === 0 ? config.epsilon : norm;
        const slope = async () => (direction === gradient ? squared : await dotList(ops, gradient, direction));
        const b = config.exactDirectionalDerivative ? -(await slope()) / n : -n;
        // u = −d/n: made only where the backend has no fused line kernels (they never store it).
        const { line, made } = prepareLine(ops, { origin: model.parameters, direction, directionScale: -1 / n });
        if (made) ledger.create(made);
        const probe = await probePoint(model, line, config.measuringStep);
        ledger.create(probe.parameters);
        const probeLoss = (await model.evaluate(batch.indices, { parameters: probe.parameters })).loss;
        const a = palCurvature({ loss: result.loss, probeLoss, slope: b, distance: probe.distance });
        const finite = Number.isFinite(a) && Number.isFinite(b);
        const stepSize = finite ? selectPalStep({ a, b }, config) : 0;
        let parameters: T[] | null = null;
        if (finite) parameters = ledger.create(await checkedMove(model, line, { distance: stepSize, step }));
        else if (config.fidelity === 'reference') {
          parameters = probe.parameters;
          await assertFiniteUpdate(model, parameters, { step });
        }
        ledger.discard(made);
        if (parameters !== probe.parameters) ledger.discard(probe.parameters);
        if (gradient !== kept) ledger.discard(gradient);
        ledger.discard(state.direction);
        ledger.commit();
        if (parameters !== null) model.setParameters(parameters);
        const next: PalState<T> = {
          step,
          sampler: batch.state,
          direction: kept,
          forwardPasses: state.forwardPasses + 2,
        };
        const report: PalReport = {
          step,
          loss: result.loss,
          batchSize: batch.indices.length,
          learningRate: stepSize / n,
          examplesSeen: batch.state.examplesSeen,
          stepSize,
          sRaw: finite && a > 0 && b < 0 ? -b / (2 * a) : null,
          a,
          b,
          directionNorm: n,
          probeLoss,
          forwardPasses: next.forwardPasses,
          ...(finite ? {} : { nonFiniteProbe: true as const }),
        };
        return { state: next, report };
      } catch (error) {
        ledger.rollback();
        throw error;
      }
    },
  };
}
