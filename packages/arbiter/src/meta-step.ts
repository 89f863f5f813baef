/**
 * One meta-step of README “One iteration” (steps 2–9), after the inner step: the
 * agent observes a validation batch, its sorted candidates are mixed into l_α and
 * B_t = B(l_α), a meta-batch of B_t validation examples is drawn, its features h at the
 * injection layer become h′ = h∘(1 + l_α·m), the inner model's head gives F and δ = ∂F/∂h′,
 * and the closed-form meta-gradients (README “One iteration”) are routed back through the agent. Only the
 * agent's gradients are produced; the inner model's parameters are read, never written.
 */
import { assertFinite, assertFiniteTensors, disposeList, type Model } from '@abs/core';
import { type AgentRuntime, agentGradient, agentOutputs } from './agent';
import { type BatchSizeRange, batchSizeOf } from './batch-size-map';
import { injectResponse, type MetaGradients, metaGradients } from './meta-gradient';
import { mixLogits, routeToOutputs, softmax, sortedCandidates } from './mixture';

export interface MetaStepInput<T> {
  readonly inner: Model<T>;
  readonly agent: AgentRuntime<T>;
  readonly phi: readonly T[];
  readonly m: Float64Array;
  readonly alpha: Float64Array;
  /** Observation batch (validation indices of the agent's dataset). */
  readonly observation: Int32Array;
  /** Draws the meta-batch once B_t is known (validation indices of the inner dataset). */
  readonly drawMetaBatch: (size: number) => Int32Array;
  /** Layer whose input is injected. */
  readonly layer: number;
  readonly range: BatchSizeRange;
  /** For error messages. */
  readonly step?: number;
}

export interface MetaStepResult<T> {
  /** Sorted candidate logits l and their permutation. */
  readonly logits: Float64Array;
  readonly permutation: Int32Array;
  readonly pi: Float64Array;
  readonly lAlpha: number;
  /** B_t = B(l_α). */
  readonly metaBatchSize: number;
  /** F, the mean cross-entropy of the head on h′. */
  readonly metaLoss: number;
  readonly gradients: MetaGradients & { readonly phi: T[] };
}

/**
 * @throws NonFiniteError naming `agentOutputs`, `lAlpha`, `metaLoss`, `featureGradient`,
 *   `metaGradient[lAlpha]`, `metaGradient[m]` or `metaGradient[phi/<param>]`; nothing is
 *   left allocated then
 * @see README “One iteration”
 */
export async function metaStep<T>(input: MetaStepInput<T>): Promise<MetaStepResult<T>> {
  const { inner, agent, phi, m, alpha, observation, layer, step } = input;
  const ops = inner.ops;
  const rows = observation.length;
  const outputs = await agentOutputs(agent, phi, observation);
  const k = alpha.length;
  assertFinite(
    outputs.reduce((s, v) => s + v, 0),
    'agentOutputs',
    step,
  );
  const { logits, permutation } = sortedCandidates(outputs, rows, k);
  const pi = softmax(alpha);
  const lAlpha = mixLogits(pi, logits);
  assertFinite(lAlpha, 'lAlpha', step);
  const metaBatchSize = batchSizeOf(lAlpha, input.range);
  const meta = input.drawMetaBatch(metaBatchSize);

  const seen = await inner.evaluate(meta, { features: { layer } });
  const hTensor = seen.features as T;
  const h = await ops.read(hTensor);
  ops.dispose(hTensor);
  const injected = ops.fromArray(injectResponse(h, m, lAlpha, meta.length), [meta.length, m.length]);
  let metaLoss: number;
  let delta: Float32Array;
  try {
    const head = await inner.evaluate(meta, { replaceFeatures: { layer, features: injected } });
    metaLoss = head.loss;
    const deltaTensor = head.featureGradient as T;
    delta = await ops.read(deltaTensor);
    ops.dispose(deltaTensor);
  } finally {
    ops.dispose(injected);
  }
  assertFinite(metaLoss, 'metaLoss', step);
  assertFinite(
    delta.reduce((s, v) => s + v, 0),
    'featureGradient',
    step,
  );
  const gradients = metaGradients({ features: h, featureGradient: delta, m, lAlpha, pi, logits });
  assertFinite(gradients.lAlpha, 'metaGradient[lAlpha]', step);
  assertFinite(
    gradients.m.reduce((s, v) => s + v, 0),
    'metaGradient[m]',
    step,
  );
  const phiGradient = await agentGradient(agent, phi, observation, routeToOutputs(gradients.logits, permutation, rows));
  try {
    await assertFiniteTensors(ops, phiGradient, {
      prefix: 'metaGradient',
      names: agent.model.parameterInfo.map((p) => `phi/${p.name}`),
      ...(step === undefined ? {} : { step }),
    });
  } catch (error) {
    disposeList(ops, phiGradient);
    throw error;
  }
  return {
    logits,
    permutation,
    pi,
    lAlpha,
    metaBatchSize,
    metaLoss,
    gradients: { ...gradients, phi: phiGradient },
  };
}
