/**
 * Arbiter's agent (README “The agent”), project adaptation `agent: 'mlp'`:
 * flatten → Linear(in→64) → ReLU → Linear(64→64) → ReLU → Linear(64→K), compiled by the
 * inner model's backend as a sibling model. Its parameters φ live in Arbiter's state; the
 * compiled model holds a copy that is refreshed whenever the state's φ changes. Forward:
 * `evaluate(obs, { outputs })` (b × K); backward: `evaluate(obs, { outputGradient })`.
 */
import {
  assertCapabilities,
  cloneList,
  createRng,
  type Dataset,
  deriveSeed,
  describeSpec,
  featureSize,
  type Model,
  type ModelSpec,
  mlp,
  readList,
  UnsupportedCapabilityError,
} from '@abs/core';
import type { AgentKind } from './resolve-arbiter-config';

/** Hidden widths of the `'mlp'` agent. */
export const AGENT_HIDDEN_SIZES = [64, 64] as const;

/** The compiled agent and the φ list its parameters were last copied from. */
export interface AgentRuntime<T> {
  readonly model: Model<T>;
  synced: readonly T[] | undefined;
}

/**
 * mlp([inputWidth, 64, 64, K]) with ReLU. The loss is `'mse'` against zero targets only
 * because a spec needs one: Arbiter reads outputs and supplies its own upstream gradient.
 * @example
 * describeSpec(agentSpec(784, 4)).layers.map((l) => l.outputSize); // [64, 64, 4]
 */
export const agentSpec = (inputWidth: number, nSamples: number): ModelSpec =>
  mlp([inputWidth, ...AGENT_HIDDEN_SIZES, nSamples], { activation: 'relu', loss: 'mse' });

/**
 * The framework default of the reference (PyTorch `nn.Linear`: Kaiming-uniform with a = √5,
 * i.e. W, b ~ U(±1/√fanIn)), seeded per layer.
 * @example
 * agentInitialParameters(agentSpec(4, 4), 1)[0].length; // 256 (W0: 4 × 64)
 */
export function agentInitialParameters(spec: ModelSpec, seed: number): Float32Array[] {
  return describeSpec(spec).layers.flatMap((layer, l) => {
    const { inputSize: fanIn, outputSize: fanOut } = layer;
    const bound = 1 / Math.sqrt(fanIn);
    const rng = createRng(deriveSeed(seed, 'arbiter-agent', l));
    const draw = (n: number) => Float32Array.from({ length: n }, () => bound * (2 * rng.nextFloat() - 1));
    return [draw(fanIn * fanOut), draw(fanOut)];
  });
}

/** The agent's view of a dataset: the same features (not copied) and K zero targets per example. */
export const agentDataset = (dataset: Dataset, nSamples: number, name = `${dataset.name}/arbiter-agent`): Dataset => ({
  name,
  size: dataset.size,
  featureShape: dataset.featureShape,
  features: dataset.features,
  targets: new Float32Array(dataset.size * nSamples),
  targetSize: nSamples,
});

/**
 * Compiles the agent on the inner model's backend over `dataset` (the agent's view of the
 * observations), starting from `parameters`.
 * @throws UnsupportedCapabilityError for `agent: 'conv'` (abs has no convolution layers yet)
 *   or when the backend cannot give outputs and upstream backward passes
 */
export async function compileAgent<T>(
  inner: Model<T>,
  setup: { readonly kind: AgentKind; readonly dataset: Dataset; readonly parameters: readonly Float32Array[] },
): Promise<AgentRuntime<T>> {
  if (setup.kind === 'conv') {
    throw new UnsupportedCapabilityError({
      capability: 'conv',
      backend: inner.backend,
      detail:
        "arbiter: agent 'conv' (the authors' CNN) needs convolution layers, which abs model specs do " +
        "not have yet; use agent: 'mlp'",
    });
  }
  const spec = agentSpec(featureSize(setup.dataset), setup.parameters.at(-1)?.length ?? 0);
  const model = await inner.compileSibling(spec, setup.dataset, { parameters: setup.parameters });
  assertCapabilities(model, ['outputs', 'outputGradient'], 'needed by the arbiter agent');
  return { model, synced: undefined };
}

/** Makes the compiled agent's parameters equal to `phi` (copies only when `phi` changed). */
export function syncAgent<T>(agent: AgentRuntime<T>, phi: readonly T[]): void {
  if (agent.synced === phi) return;
  agent.model.setParameters(cloneList(agent.model.ops, phi));
  agent.synced = phi;
}

/** Agent outputs o (b × K, row-major) at φ for the observation batch. */
export async function agentOutputs<T>(agent: AgentRuntime<T>, phi: readonly T[], batch: Int32Array) {
  syncAgent(agent, phi);
  const result = await agent.model.evaluate(batch, { outputs: true });
  const tensor = result.outputs as T;
  const values = await agent.model.ops.read(tensor);
  agent.model.ops.dispose(tensor);
  return values;
}

/** ∂F/∂φ = ∂Σ(upstream ∘ o)/∂φ for a given upstream gradient (b × K). */
export async function agentGradient<T>(
  agent: AgentRuntime<T>,
  phi: readonly T[],
  batch: Int32Array,
  upstream: Float32Array,
): Promise<T[]> {
  syncAgent(agent, phi);
  const ops = agent.model.ops;
  const tensor = ops.fromArray(upstream, [batch.length, upstream.length / batch.length]);
  try {
    const result = await agent.model.evaluate(batch, { outputGradient: tensor });
    return result.gradient as T[];
  } finally {
    ops.dispose(tensor);
  }
}

/** Host copies of φ, e.g. to compile another agent view with the same parameters. */
export const readPhi = <T>(agent: AgentRuntime<T>, phi: readonly T[]) => readList(agent.model.ops, phi);
