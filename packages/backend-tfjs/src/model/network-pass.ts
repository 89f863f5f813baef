/**
 * One forward/backward pass of a network on the device, answering a planned request. The
 * forward runs the nodes (see `layers/node.ts`); the backward carries Δ̃ = s·Δ, the per-example
 * output gradients of each example's own loss scaled by s (1/n for the loss, 1 for an upstream
 * gradient, so the mean gradient needs no full-size rescale). Each parameterised layer records
 * its input and Δ̃; its statistics follow from those (`linear-statistics.ts`; batch norm has only
 * the gradient):
 *   gradient Σ_i G̃_i · 1     second moment · 1/(n s²)     Gram, ‖g_i‖² · 1/s²     weighted w_i/s
 * and featureGradient = (input gradient at the replaced layer)/(n s). A bias that feeds a batch
 * norm gets an exact zero gradient (the batch mean removes it), not float32 rounding noise.
 * Everything runs
 * synchronously inside one `tf.tidy`; only kept tensors survive it.
 */
import type { LayerInfo, SecondMomentFidelity } from '@abs/core';
import type { Tensor, Tensor1D, Tensor2D, TensorFlow } from '../tfjs-namespace';
import type { DenseMath } from './dense-math';
import { batchNormGradient } from './layers/batch-norm-node';
import type { DeviceNetwork } from './layers/build-nodes';
import type { PassState } from './layers/node';
import { linearStatistics, type StatisticsOptions } from './linear-statistics';
import { lossAndDelta } from './loss';
import type { RequestPlan } from './request-plan';

export interface PassInput {
  readonly plan: RequestPlan;
  readonly features: Tensor2D;
  readonly targets: Tensor2D;
  readonly replaced?: Tensor;
  readonly upstream?: Tensor2D;
  /** Second moments of this fidelity, or none. */
  readonly secondMoment: SecondMomentFidelity | undefined;
  readonly gram: boolean;
  readonly exampleNorms: boolean;
  /**
   * Reduce ξ's moment sum on the device (`PassOutput.varianceMoments`): the entries of the second
   * moments of this fidelity summed (exact: (1/n)·Σ_i ‖g_i‖²); absent: not asked.
   */
  readonly varianceMoments?: SecondMomentFidelity;
  readonly featuresLayer?: number;
  readonly outputs: boolean;
  /** Stage new batch-norm running averages from this pass's batch statistics. */
  readonly updateRunning: boolean;
}

export interface PassOutput {
  /**
   * Per-example losses (n, absent with an upstream gradient), then per layer from the top
   * down: its Gram row-major (n²), then its weight's and bias's per-example norms (n each).
   */
  readback: Tensor1D | undefined;
  /** The scale s of Δ̃ (1/n or 1). */
  scale: number;
  gradient?: Tensor[];
  secondMoment?: Tensor[];
  /** Σ of every entry of the second moments asked in `varianceMoments`, a scalar: ξ is this minus ‖ḡ‖². */
  varianceMoments?: Tensor;
  weightedGradient?: Tensor[];
  features?: Tensor;
  outputs?: Tensor2D;
  featureGradient?: Tensor;
  /** For weights chosen from the Gram: per layer, its input and Δ̃. */
  retained?: { input: Tensor; delta: Tensor }[];
  /** New running averages (by buffer index), to commit when the loss is finite. */
  staged?: Tensor[];
}

export interface NetworkContext {
  readonly tf: TensorFlow;
  readonly math: DenseMath;
  readonly network: DeviceNetwork;
  readonly layers: readonly LayerInfo[];
  readonly inputShape: readonly number[];
  readonly loss: 'softmax-cross-entropy' | 'mse';
  readonly statistics: StatisticsOptions;
}

export function createNetworkPass(context: NetworkContext) {
  const { tf, network, layers } = context;
  const { nodes, nodeOf } = network;

  /** Output logits (n × k) in inference mode. Call inside tidy. */
  function predict(parameters: readonly Tensor[], buffers: readonly Tensor[], x: Tensor2D): Tensor2D {
    const state: PassState = { parameters, buffers, mode: 'infer', record: () => {} };
    let y: Tensor = tf.reshape(x, [x.shape[0], ...context.inputShape]);
    for (const node of nodes) y = node.forward(y, state).y;
    return y as Tensor2D;
  }

  /** Statistics of one linear layer from its recorded input and Δ̃. Call inside tidy. */
  const statisticsOf = (info: LayerInfo, input: Tensor, delta: Tensor) =>
    linearStatistics({ tf, math: context.math, options: context.statistics }, info, input, delta);

  /** Σ_i w_i g_i per parameter of `layer` (weights already divided by s). Call inside tidy. */
  const weightedOf = (info: LayerInfo, input: Tensor, delta: Tensor, weights: Tensor1D) =>
    statisticsOf(info, input, delta).weighted(weights);

  /** Runs the pass; on failure every tensor it made is freed before the error propagates. */
  function run(input: PassInput, parameters: readonly Tensor[], buffers: readonly Tensor[]): PassOutput {
    const kept: Tensor[] = [];
    const keep = <U extends Tensor>(t: U): U => {
      kept.push(t);
      return tf.keep(t);
    };
    try {
      let output: PassOutput | undefined;
      tf.tidy(() => {
        output = body(input, parameters, buffers, keep);
      });
      return output as PassOutput;
    } catch (error) {
      for (const t of kept) t.dispose();
      throw error;
    }
  }

  function body(
    input: PassInput,
    parameters: readonly Tensor[],
    buffers: readonly Tensor[],
    keep: <U extends Tensor>(t: U) => U,
  ): PassOutput {
    const { plan, upstream } = input;
    const { n } = plan;
    const out: PassOutput = { readback: undefined, scale: upstream ? 1 : 1 / n };
    const s = out.scale;
    const records = new Map<number, { input: Tensor; delta: Tensor }>();
    const staged: Tensor[] = [];
    const state: PassState = {
      parameters,
      buffers,
      mode: 'train',
      ...(input.updateRunning ? { stage: (k: number, value: Tensor) => (staged[k] = keep(value)) } : {}),
      record: (layer, x, delta) => records.set(layer, { input: x, delta }),
    };
    const index = context.math.batchIndex(Int32Array.from(plan.indices));
    const from = layers[plan.from] as LayerInfo | undefined;
    const start = input.replaced && from ? (nodeOf[from.sequenceIndex as number] as number) : 0;
    const startShape = input.replaced && from ? from.inputShape : context.inputShape;
    const x0 = input.replaced ?? context.math.rows(input.features, index);
    const featureNode =
      input.featuresLayer === undefined ? undefined : nodeOf[layers[input.featuresLayer]?.sequenceIndex as number];
    const backwards: ((dy: Tensor, wantInput: boolean) => Tensor | undefined)[] = [];
    let y: Tensor = tf.reshape(x0, [n, ...startShape]);
    for (let k = start; k < nodes.length; k++) {
      if (k === featureNode) out.features = keep(tf.clone(y));
      const f = (nodes[k] as (typeof nodes)[number]).forward(y, state);
      backwards.push(f.backward);
      y = f.y;
    }
    const z = y as Tensor2D;
    if (input.outputs) out.outputs = keep(tf.clone(z));
    if (input.updateRunning) out.staged = staged;
    const reads: Tensor1D[] = [];
    let delta: Tensor;
    if (upstream) {
      delta = upstream;
    } else {
      const loss = lossAndDelta(tf, context.loss, z, context.math.rows(input.targets, index));
      reads.push(loss.perExample);
      delta = tf.mul(loss.delta, s);
    }
    if (plan.lowest === undefined) {
      if (reads.length > 0) out.readback = keep(reads.length === 1 ? (reads[0] as Tensor1D) : tf.concat(reads));
      return out;
    }
    let g: Tensor | undefined = delta;
    for (let k = backwards.length - 1; k >= 0; k--) {
      g = (backwards[k] as (typeof backwards)[number])(g as Tensor, k > 0 || input.replaced !== undefined);
    }
    if (input.replaced) out.featureGradient = keep(tf.reshape(tf.mul(g as Tensor, 1 / (n * s)), input.replaced.shape));

    const gradient: Tensor[] = [];
    const second: Tensor[] = [];
    const moments: Tensor[] = [];
    const weighted: Tensor[] = [];
    const retained: { input: Tensor; delta: Tensor }[] = [];
    const put = (list: Tensor[], info: LayerInfo, values: readonly Tensor[]) =>
      values.forEach((v, j) => {
        list[info.parameters[j] as number] = keep(v);
      });
    // From the top layer down, as the readback is packed.
    for (let l = layers.length - 1; l >= plan.lowest; l--) {
      const info = layers[l] as LayerInfo;
      const record = records.get(l);
      if (!record) continue;
      if (info.kind === 'batchNorm') {
        if (plan.gradient) put(gradient, info, batchNormGradient(tf, record.input, record.delta));
        continue;
      }
      const stats = statisticsOf(info, record.input, record.delta);
      if (plan.gradient) {
        const sums = stats.gradient();
        put(
          gradient,
          info,
          sums.map((t, j) => (network.biasesBeforeNorm.has(info.parameters[j] as number) ? tf.zerosLike(t) : t)),
        );
      }
      const secondMoment = input.secondMoment && stats.secondMoment(input.secondMoment, 1 / (n * s * s));
      if (secondMoment) put(second, info, secondMoment);
      if (input.gram) reads.push(tf.reshape(stats.gram(1 / (s * s)), [n * n]) as Tensor1D);
      const norms = input.exampleNorms && stats.norms(1 / (s * s));
      if (norms) reads.push(...norms);
      // ξ's moment sum, from the norms when they are here anyway (Σ_i ‖g̃_i‖²/n), else from the
      // closed form of the layer's `momentSum`.
      const fidelity = input.varianceMoments;
      if (fidelity === 'exact' && norms)
        moments.push(tf.div(tf.sum(norms.length === 1 ? (norms[0] as Tensor) : tf.addN(norms)), n));
      else if (fidelity) moments.push(stats.momentSum(fidelity, 1 / (n * s * s)));
      const w = plan.weights?.[l];
      if (w) put(weighted, info, stats.weighted(tf.tensor1d(w.map((v) => v / s))));
      if (plan.weightsFromGram)
        retained[l] = { input: keep(tf.clone(record.input)), delta: keep(tf.clone(record.delta)) };
    }
    if (plan.gradient) out.gradient = gradient;
    if (input.secondMoment) out.secondMoment = second;
    if (input.varianceMoments) out.varianceMoments = keep(moments.length > 0 ? tf.addN(moments) : tf.scalar(0));
    if (plan.weights) out.weightedGradient = weighted;
    if (plan.weightsFromGram) out.retained = retained;
    if (reads.length > 0) out.readback = keep(reads.length === 1 ? (reads[0] as Tensor1D) : tf.concat(reads));
    return out;
  }

  return { run, predict, weightedOf };
}
