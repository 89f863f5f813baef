/**
 * One forward/backward pass of an mlp on the device, answering a planned request. The
 * forward keeps each layer's input A_l; the backward carries Δ̃_l = s·Δ_l, the per-example
 * output gradients of each example's own loss scaled by s (1/n for the loss, 1 for an
 * upstream gradient, so the mean gradient needs no full-size rescale). Per layer:
 *   gradient        W: AᵀΔ̃                      b: Σ_i δ̃_i
 *   second moment   W: (A∘A)ᵀ(Δ̃∘Δ̃)·c           b: Σ_i δ̃_i²·c        c = 1/(n s²)
 *   Gram            (Δ̃Δ̃ᵀ)∘(AAᵀ + 1)/s²          (+1: the bias column of [A, 1])
 *   ‖g_i‖²          W: ‖a_i‖²‖δ̃_i‖²/s²          b: ‖δ̃_i‖²/s²
 *   weighted        W: Aᵀdiag(w/s)Δ̃             b: Σ_i (w_i/s) δ̃_i
 *   propagate       Δ̃_{l−1} = (Δ̃_l W_lᵀ) ∘ f′(A_l);  featureGradient = Δ̃_r W_rᵀ/(n s)
 * Everything runs synchronously inside one `tf.tidy`; only kept tensors survive it.
 */
import type { DenseStack, LayerInfo } from '@abs/core';
import type { Tensor, Tensor1D, Tensor2D, TensorFlow } from '../tfjs-namespace';
import type { DenseMath } from './dense-math';
import { lossAndDelta } from './loss';
import type { RequestPlan } from './request-plan';

export interface PassInput {
  readonly plan: RequestPlan;
  readonly features: Tensor2D;
  readonly targets: Tensor2D;
  readonly replaced?: Tensor2D;
  readonly upstream?: Tensor2D;
  readonly secondMoment: boolean;
  readonly gram: boolean;
  readonly exampleNorms: boolean;
  readonly featuresLayer?: number;
  readonly outputs: boolean;
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
  weightedGradient?: Tensor[];
  features?: Tensor2D;
  outputs?: Tensor2D;
  featureGradient?: Tensor2D;
  /** For weights chosen from the Gram: per layer, the input (transposed when materialised) and Δ̃. */
  retained?: { at: Tensor2D; delta: Tensor2D }[];
}

export function createDensePass(tf: TensorFlow, spec: DenseStack, layers: readonly LayerInfo[], math: DenseMath) {
  const depth = layers.length;
  const weightOf = (p: readonly Tensor[], l: number) => p[(layers[l] as LayerInfo).parameters[0] as number] as Tensor2D;
  const biasOf = (p: readonly Tensor[], l: number) =>
    spec.bias ? (p[(layers[l] as LayerInfo).parameters[1] as number] as Tensor1D) : undefined;

  /** Layer inputs from layer `from` up; `inputs[depth]` is the output z. Call inside tidy. */
  function forward(parameters: readonly Tensor[], input: Tensor2D, from = 0): Tensor2D[] {
    const inputs: Tensor2D[] = [];
    inputs[from] = input;
    for (let l = from; l < depth; l++) {
      const activation = l + 1 < depth ? spec.activation : undefined;
      inputs[l + 1] = math.layer(inputs[l] as Tensor2D, weightOf(parameters, l), biasOf(parameters, l), activation);
    }
    return inputs;
  }

  /** Runs the pass; on failure every tensor it made is freed before the error propagates. */
  function run(input: PassInput): PassOutput {
    const kept: Tensor[] = [];
    const keep = <U extends Tensor>(t: U): U => {
      kept.push(t);
      return tf.keep(t);
    };
    try {
      let output: PassOutput | undefined;
      tf.tidy(() => {
        output = body(input, keep);
      });
      return output as PassOutput;
    } catch (error) {
      for (const t of kept) t.dispose();
      throw error;
    }
  }

  function body(input: PassInput, keep: <U extends Tensor>(t: U) => U): PassOutput {
    const { plan, upstream } = input;
    const { n, parameters } = plan;
    const index = math.batchIndex(Int32Array.from(plan.indices));
    const start = input.replaced ?? math.rows(input.features, index);
    const inputs = forward(parameters, start, plan.from);
    const z = inputs[depth] as Tensor2D;
    const out: PassOutput = { readback: undefined, scale: upstream ? 1 : 1 / n };
    if (input.featuresLayer !== undefined) out.features = keep(tf.clone(inputs[input.featuresLayer] as Tensor2D));
    if (input.outputs) out.outputs = keep(tf.clone(z));
    const reads: Tensor1D[] = [];
    let delta: Tensor2D;
    if (upstream) {
      delta = upstream;
    } else {
      const targets = math.rows(input.targets, index);
      const loss = lossAndDelta(tf, spec.loss, z, targets);
      reads.push(loss.perExample);
      delta = tf.mul(loss.delta, out.scale);
    }
    const s = out.scale;
    if (plan.lowest !== undefined) {
      const gradient: Tensor[] = [];
      const second: Tensor[] = [];
      const weighted: Tensor[] = [];
      const retained: { at: Tensor2D; delta: Tensor2D }[] = [];
      for (let l = depth - 1; l >= plan.lowest; l--) {
        const [wIndex, bIndex] = (layers[l] as LayerInfo).parameters as [number, number | undefined];
        const a = inputs[l] as Tensor2D;
        const needsAt = plan.gradient || input.secondMoment || plan.weights || plan.weightsFromGram || input.gram;
        const at = needsAt ? math.transposed(a) : a;
        if (plan.gradient) {
          gradient[wIndex] = keep(math.productTA(at, delta));
          if (bIndex !== undefined) gradient[bIndex] = keep(tf.sum(delta, 0));
        }
        if (input.secondMoment) {
          const d2 = tf.mul(tf.square(delta), 1 / (n * s * s)) as Tensor2D;
          second[wIndex] = keep(math.productTA(tf.square(at), d2));
          if (bIndex !== undefined) second[bIndex] = keep(tf.sum(d2, 0));
        }
        if (input.gram) {
          const inner = math.gramOf(a, at);
          const k = tf.mul(tf.mul(math.productTB(delta, delta), spec.bias ? tf.add(inner, 1) : inner), 1 / (s * s));
          reads.push(tf.reshape(k, [n * n]) as Tensor1D);
        }
        if (input.exampleNorms) {
          const dd = tf.mul(tf.sum(tf.square(delta), 1), 1 / (s * s)) as Tensor1D;
          reads.push(tf.mul(tf.sum(tf.square(a), 1), dd) as Tensor1D);
          if (bIndex !== undefined) reads.push(dd);
        }
        const w = plan.weights?.[l];
        if (w) {
          const column = tf.tensor2d(
            w.map((v) => v / s),
            [n, 1],
          );
          const dw = tf.mul(delta, column) as Tensor2D;
          weighted[wIndex] = keep(math.productTA(at, dw));
          if (bIndex !== undefined) weighted[bIndex] = keep(tf.sum(dw, 0));
        }
        if (plan.weightsFromGram) retained[l] = { at: keep(tf.clone(at)), delta: keep(tf.clone(delta)) };
        const replacedHere = input.replaced !== undefined && l === plan.from;
        if (l > plan.lowest || replacedHere) {
          const u = math.productTB(delta, weightOf(parameters, l));
          if (replacedHere) out.featureGradient = keep(tf.mul(u, 1 / (n * s)));
          if (l > plan.lowest) delta = math.derivative(spec.activation, u, a);
        }
      }
      if (plan.gradient) out.gradient = gradient;
      if (input.secondMoment) out.secondMoment = second;
      if (plan.weights) out.weightedGradient = weighted;
      if (plan.weightsFromGram) out.retained = retained;
    }
    if (reads.length > 0) out.readback = keep(reads.length === 1 ? (reads[0] as Tensor1D) : tf.concat(reads));
    return out;
  }

  return { forward, run };
}
