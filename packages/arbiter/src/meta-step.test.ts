import { jsBackend } from '@abs/backend-js';
import { type Dataset, describeSpec, type HostTensor, type Model, mlp } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { type AgentRuntime, agentDataset, compileAgent } from './agent';
import { agentSpec } from './agent-spec';
import { agentAdam, updateAgent } from './agent-update';
import { hostAdamInit } from './host-adam';
import { metaStep } from './meta-step';
import { mixLogits, softmax } from './mixture';

// A3 built literally on the reference backend: the inner model is mlp([3, 2]) with identity
// activation whose only layer is the linear head, W = Vᵀ and b = c = 0; the dataset holds
// the features z and labels y, so h = z at layer 0.
const V = [
  [0.2, -0.1, 0.3],
  [-0.3, 0.4, 0.1],
];
const data: Dataset = {
  name: 'a3',
  size: 2,
  featureShape: [3],
  features: Float32Array.from([1, 0, 2, 0.5, 1, -1]),
  labels: Int32Array.from([0, 1]),
  numClasses: 2,
};
const W = Float32Array.from({ length: 6 }, (_, i) => V[i % 2]?.[Math.floor(i / 2)] as number); // W[k][c] = V[c][k]
const m = Float64Array.from([0.1, -0.2, 0.05]);
const range = { sMin: 8, sMax: 512, fidelity: 'corrected' } as const;
/** The agent's output bias: its outputs are these constants (all weights are zero), unsorted. */
const CANDIDATES = [0.5, -2, 1, -1];

async function setting(): Promise<{ inner: Model<HostTensor>; agent: AgentRuntime<HostTensor> }> {
  const inner = await jsBackend().compile(mlp([3, 2], { activation: 'identity', bias: true }), data, {
    parameters: [W, new Float32Array(2)],
  });
  const spec = agentSpec(3, 4);
  const parameters = describeSpec(spec).layers.flatMap(({ inputSize: fanIn, outputSize: out }, l) => {
    const bias = l === 2 ? Float32Array.from(CANDIDATES) : new Float32Array(out);
    return [new Float32Array(fanIn * out), bias];
  });
  const agent = await compileAgent(inner, { kind: 'mlp', dataset: agentDataset(data, 4), parameters });
  return { inner, agent };
}

async function run(alpha: Float64Array) {
  const { inner, agent } = await setting();
  const phi = agent.model.parameters.map((p) => agent.model.ops.clone(p));
  const before = await inner.readParameters();
  const requested: number[] = [];
  const result = await metaStep({
    inner,
    agent,
    phi,
    m,
    alpha,
    observation: Int32Array.from([0, 1]),
    drawMetaBatch: (size) => {
      requested.push(size);
      return Int32Array.from([0, 1]); // the A3 meta-batch: both rows of z
    },
    layer: 0,
    range,
  });
  return { inner, agent, phi, before, after: await inner.readParameters(), requested, result };
}

describe('A3. meta-step on jsBackend (linear head)', () => {
  it('sorts the candidates, mixes them and asks for B_t = 213 (A2)', async () => {
    const { result, requested } = await run(new Float64Array(4));
    expect(Array.from(result.logits)).toEqual([-2, -1, 0.5, 1]);
    expect(Array.from(result.permutation)).toEqual([1, 3, 0, 2]);
    expect(result.lAlpha).toBe(-0.375);
    expect(requested).toEqual([213]);
    expect(result.metaBatchSize).toBe(213);
  });

  it('F and the meta-gradients match the spec (float32 features and δ: 7 digits)', async () => {
    const { result } = await run(new Float64Array(4));
    const g = result.gradients;
    expect(result.metaLoss).toBeCloseTo(0.41274532, 7);
    expect(g.lAlpha).toBeCloseTo(0.01149496, 7);
    [0.00983398, 0.03554603, 0.03630401].forEach((v, k) => expect(g.m[k]).toBeCloseTo(v, 7));
    for (const v of g.logits) expect(v).toBeCloseTo(0.00287374, 7);
    [-0.00466983, -0.00179609, 0.00251452, 0.00395139].forEach((v, j) => expect(g.alpha[j]).toBeCloseTo(v, 7));
  });

  it('routes ∂F/∂l_j through the sort permutation into the agent (output bias gradient)', async () => {
    // With all weights zero, ∂F/∂b2[perm(j)] = Σ_rows ∂F/∂l_j / b = ∂F/∂l_j = π_j·∂F/∂l_α.
    // A non-uniform α makes the four values differ, so a wrong routing would show.
    const alpha = Float64Array.from([0.1, 0.5, -0.2, 0]);
    const { result } = await run(alpha);
    const bias = result.gradients.phi[5]?.data as Float32Array;
    const pi = softmax(alpha);
    result.permutation.forEach((column, j) => {
      expect(bias[column]).toBeCloseTo((pi[j] as number) * result.gradients.lAlpha, 9);
    });
    expect(result.gradients.phi[4]?.data.every((v) => v === 0)).toBe(true); // hidden activations are 0
  });

  it('agrees with central finite differences of the backend’s own loss in l_α', async () => {
    // F(l_α) = loss of the head on h∘(1 + l_α·m), through the backend (float32 inputs, so a
    // wide step: the O(e²) truncation is ~1e-9 and float32 rounding of h′ ~1e-8/e).
    const { inner } = await setting();
    const lossAt = async (lAlpha: number) => {
      const features = Float32Array.from([1, 0, 2, 0.5, 1, -1], (v, i) => v * (1 + lAlpha * (m[i % 3] as number)));
      const out = await inner.evaluate([0, 1], {
        replaceFeatures: { layer: 0, features: inner.ops.fromArray(features, [2, 3]) },
      });
      return out.loss;
    };
    const e = 1e-3;
    const numeric = ((await lossAt(-0.375 + e)) - (await lossAt(-0.375 - e))) / (2 * e);
    expect(numeric).toBeCloseTo(0.01149496, 5);
  });

  it('leaves the inner weights bit-identical', async () => {
    const { before, after } = await run(new Float64Array(4));
    expect(after.length).toBe(before.length);
    after.forEach((values, i) => {
      expect(new Uint32Array(values.buffer)).toEqual(new Uint32Array((before[i] as Float32Array).buffer));
    });
  });

  it('one Adam step moves α by ≈ −1e-4·sign(∂F/∂α) = [+1e-4, +1e-4, −1e-4, −1e-4], toward smaller batches', async () => {
    const { inner, phi, result } = await run(new Float64Array(4));
    const config = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
    const optimizer = agentAdam(config);
    const next = updateAgent(inner.ops, {
      optimizer,
      current: {
        phi,
        phiAdam: optimizer.init(inner.ops, phi),
        m,
        mAdam: hostAdamInit(3),
        alpha: new Float64Array(4),
        alphaAdam: hostAdamInit(4),
      },
      gradients: result.gradients,
      config: { ...config, phiLr: 1e-5, alphaLr: 1e-4 },
    });
    // First Adam step: m̂ = g, v̂ = g², so Δ = −η·g/(|g| + ε) ≈ −η·sign(g).
    [1e-4, 1e-4, -1e-4, -1e-4].forEach((v, j) => expect(next.alpha[j]).toBeCloseTo(v, 8));
    // m moves by −1e-5·sign(∂F/∂m) (all three are positive).
    for (let k = 0; k < 3; k++) expect((next.m[k] as number) - (m[k] as number)).toBeCloseTo(-1e-5, 9);
    // More weight on the smaller logits: the mixed logit, hence B_t, decreases.
    expect(mixLogits(softmax(next.alpha), result.logits)).toBeLessThan(-0.375);
  });
});
