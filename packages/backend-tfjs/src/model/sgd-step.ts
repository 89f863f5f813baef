/**
 * `Model.sgdStep` for tfjs: the pass of `evaluate` (with ξ's moment sum reduced on the device
 * when `gradientVariance` is asked), then, still on the device, θ' = (1 − ηλ)·θ − η·∇L,
 * ‖∇L‖² and whether every θ' is finite. A normalised step (`normalize: { epsilon }`) takes
 * θ' = (1 − ηλ)·θ − (η/n)·∇L instead, n = √‖∇L‖² from that same sum where it is > 0 and ε
 * where it is 0, all on the device (an infinite ‖∇L‖² gives a finite θ' = (1 − ηλ)·θ, which the
 * check on ‖∇L‖² refuses). One asynchronous read brings back one small vector:
 * the per-example losses (and Gram matrices or norms when asked), then [moment sum, ‖∇L‖²,
 * finite]. ξ = moment sum − ‖∇L‖² is formed in float64. θ' replaces θ only when the loss is
 * finite and ≥ 0 and ‖∇L‖², ξ and θ' are finite; until then θ stays the model's, and a refused
 * θ' (and the batch-norm running averages the pass staged) is freed.
 */
import {
  type BatchIndices,
  type EvaluateRequest,
  resolveGradientVariance,
  resolveSgdStep,
  type SgdStep,
  type SgdStepRequest,
  type SgdStepResult,
} from '@abs/core';
import type { Tensor } from '../tfjs-namespace';
import { disposeOutput, type EvaluateContext, type Mutable, startPass, unpackReadback } from './evaluate';

export interface SgdStepContext extends EvaluateContext {
  /** Makes `next` the model's parameters, freeing the ones it replaces. */
  readonly replaceParameters: (next: Tensor[]) => void;
}

export async function sgdStepOnDevice(
  context: SgdStepContext,
  batch: BatchIndices,
  step: SgdStep,
  request: SgdStepRequest,
): Promise<SgdStepResult<Tensor>> {
  const { tf, name } = context;
  const { learningRate, weightDecay, normalizeEpsilon } = resolveSgdStep(step, `${name}.sgdStep`);
  const variance = resolveGradientVariance(
    { backend: name, capabilities: context.capabilities, spec: context.spec },
    request,
  );
  const statistics: EvaluateRequest<Tensor> = {
    perExampleLoss: request.perExampleLoss === true,
    gradient: true,
    ...(request.secondMoment ? { secondMoment: request.secondMoment } : {}),
    gram: request.gram === true,
  };
  const { plan, out } = startPass(
    context,
    batch,
    statistics,
    'sgdStep',
    variance === undefined ? {} : { varianceMoments: variance === 'reference' ? 'reference' : 'exact' },
  );
  const gradient = out.gradient as Tensor[];
  const parameters = context.parameters();
  let packed: Tensor | undefined;
  let next: Tensor[] = [];
  try {
    [packed, next] = tf.tidy(() => {
      const squares = tf.addN(gradient.map((g) => tf.sum(tf.square(g))));
      const keep = 1 - learningRate * weightDecay;
      const rate =
        normalizeEpsilon === null
          ? learningRate
          : tf.div(learningRate, tf.where(tf.greater(squares, 0), tf.sqrt(squares), normalizeEpsilon));
      const updated = parameters.map((p, i) =>
        tf.sub(weightDecay > 0 ? tf.mul(p, keep) : p, tf.mul(gradient[i] as Tensor, rate)),
      );
      const finite = tf.cast(tf.all(tf.stack(updated.map((p) => tf.all(tf.isFinite(p))))), 'float32');
      const summary = tf.stack([out.varianceMoments ?? tf.scalar(0), squares, finite]);
      return [out.readback ? tf.concat([out.readback, summary]) : summary, updated] as [Tensor, Tensor[]];
    });
  } catch (error) {
    disposeOutput(out);
    throw error;
  }
  const result: Mutable<SgdStepResult<Tensor>> = { loss: Number.NaN, gradientNormSquared: Number.NaN, applied: false };
  try {
    const values = (await packed.data()) as Float32Array;
    const { end, ...read } = unpackReadback(values, plan, statistics, context.layers);
    const [moments, squares, finite] = Array.from(values.subarray(end, end + 3));
    Object.assign(result, read);
    result.gradientNormSquared = squares as number;
    if (variance !== undefined) result.gradientVariance = (moments as number) - (squares as number);
    result.applied =
      Number.isFinite(result.loss) &&
      result.loss >= 0 &&
      Number.isFinite(result.gradientNormSquared) &&
      (variance === undefined || Number.isFinite(result.gradientVariance)) &&
      finite === 1;
  } catch (error) {
    for (const t of next) t.dispose();
    disposeOutput(out);
    throw error;
  } finally {
    packed.dispose();
  }
  out.readback?.dispose();
  out.varianceMoments?.dispose();
  if (result.applied) context.replaceParameters(next);
  else for (const t of next) t.dispose();
  if (out.staged) {
    // The running averages move with the parameters: only when the step is taken.
    if (result.applied) context.commitBuffers(out.staged);
    else for (const t of out.staged) t.dispose();
  }
  if (out.secondMoment) result.secondMoment = out.secondMoment;
  if (request.gradient === true) result.gradient = gradient;
  else for (const g of gradient) g.dispose();
  return result;
}
