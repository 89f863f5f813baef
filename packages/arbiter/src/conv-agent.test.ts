import { jsBackend } from '@abs/backend-js';
import {
  createRng,
  type Dataset,
  dense,
  flatten,
  type HostTensor,
  hostTensor,
  type Model,
  relu,
  sequential,
} from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type AgentRuntime, agentDataset, agentOutputs, compileAgent } from './agent';
import { agentInitialParameters, convAgentSpec } from './agent-spec';
import { injectResponse } from './meta-gradient';
import { metaStep } from './meta-step';
import { mixLogits, softmax, sortedCandidates } from './mixture';

/** 12 random 8×8 images with 2 channels and 3 classes: 6 observe, 6 form the meta-batch. */
function images(): Dataset {
  const rng = createRng(11);
  return {
    name: 'images',
    size: 12,
    featureShape: [8, 8, 2],
    features: Float32Array.from({ length: 12 * 128 }, () => rng.nextNormal()),
    labels: Int32Array.from({ length: 12 }, (_, i) => i % 3),
    numClasses: 3,
  };
}

const observation = Int32Array.from([0, 1, 2, 3, 4, 5]);
const metaBatch = Int32Array.from([6, 7, 8, 9, 10, 11]);
const m = Float64Array.from([0.9, -0.7, 0.5, -1, 0.8, 0.6]);
const alpha = Float64Array.from([0.3, -0.2, 0.1, 0.5]);
const range = { sMin: 2, sMax: 64, fidelity: 'corrected' } as const;
const LAYER = 1; // the input of the inner model's last dense layer (width 6)

async function setting(): Promise<{ inner: Model<HostTensor>; agent: AgentRuntime<HostTensor> }> {
  const data = images();
  const inner = await jsBackend().compile(sequential([8, 8, 2], [flatten(), dense(6), relu(), dense(3)]), data, {
    seed: 2,
  });
  const parameters = agentInitialParameters(convAgentSpec([8, 8, 2], 4), 5);
  const agent = await compileAgent(inner, { kind: 'conv', dataset: agentDataset(data, 4), parameters });
  return { inner, agent };
}

/** F(φ): the meta-objective as a function of the agent's parameters alone (fixed meta-batch, m, α). */
async function metaObjective(inner: Model<HostTensor>, agent: AgentRuntime<HostTensor>, phi: HostTensor[]) {
  const outputs = await agentOutputs(agent, phi, observation);
  const { logits } = sortedCandidates(outputs, observation.length, alpha.length);
  const lAlpha = mixLogits(softmax(alpha), logits);
  const h = (await inner.evaluate(metaBatch, { features: { layer: LAYER } })).features as HostTensor;
  const injected = inner.ops.fromArray(injectResponse(h.data, m, lAlpha, metaBatch.length), [metaBatch.length, 6]);
  return (await inner.evaluate(metaBatch, { replaceFeatures: { layer: LAYER, features: injected } })).loss;
}

describe("the 'conv' agent's meta-gradient", () => {
  it('∂F/∂φ through batch norm agrees with central finite differences of F, tensor by tensor', async () => {
    const { inner, agent } = await setting();
    const phi = agent.model.parameters.map((p) => agent.model.ops.clone(p));
    const result = await metaStep({
      inner,
      agent,
      phi,
      m,
      alpha,
      observation,
      drawMetaBatch: () => metaBatch,
      layer: LAYER,
      range,
    });
    const gradient = result.gradients.phi.map((g) => Float64Array.from(g.data));
    const norms = gradient.map((g) => Math.sqrt(g.reduce((s, x) => s + x * x, 0)));
    const largest = Math.max(...norms);
    let compared = 0;
    for (const [p, info] of agent.model.parameterInfo.entries()) {
      const norm = norms[p] as number;
      if (info.role === 'bias' && info.name.startsWith('conv2d')) {
        // Batch norm subtracts each channel's batch mean, so the bias before it has no effect.
        expect(norm, info.name).toBeLessThan(1e-5 * largest);
        continue;
      }
      // Along v = g_p/‖g_p‖ the directional derivative of F is ⟨∇_p F, v⟩, which is ‖g_p‖ when g_p = ∇_p F.
      // Steps: ReLU kinks bend F along a kernel at the 1e-2 scale (error 7–18% there, < 0.1% at
      // 3e-4); γ, β and the head are smooth at 1e-2 (< 0.3%), where float32 rounding of their small
      // ‖g_p‖·e changes of F stays small.
      const e = info.role === 'weight' && info.name.startsWith('conv2d') ? 3e-4 : 1e-2;
      const at = (sign: number) =>
        phi.map((t, q) =>
          q === p
            ? hostTensor(
                Float32Array.from(t.data, (x, i) => x + (sign * e * (gradient[p]?.[i] as number)) / norm),
                [...t.shape],
              )
            : t,
        );
      const numeric =
        ((await metaObjective(inner, agent, at(1))) - (await metaObjective(inner, agent, at(-1)))) / (2 * e);
      expect(Math.abs(numeric - norm) / norm, `${info.name}: finite difference ${numeric}, ‖g‖ ${norm}`).toBeLessThan(
        1e-2,
      );
      compared += 1;
    }
    expect(compared).toBe(14); // 4 kernels, 4 γ, 4 β, the head's weight and bias
  });
});
