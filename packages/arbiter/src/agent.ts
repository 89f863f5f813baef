/**
 * Arbiter's compiled agent (README “The agent”), built by the inner model's backend as a
 * sibling model from `agentSpecFor`. Its parameters φ and, for the conv agent, its batch-norm
 * running averages live in Arbiter's state; the compiled model holds copies that are refreshed
 * whenever the state's values change. Forward: `evaluate(obs, { outputs })` (b × K), which uses
 * the batch's statistics and leaves the running averages alone; backward:
 * `evaluate(obs, { outputGradient })`, which moves the running averages once per iteration, as
 * the reference's training-mode forward pass does.
 */
import { assertCapabilities, cloneList, type Dataset, type Model, readList } from '@abs/core';
import { agentSpecFor } from './agent-spec';
import type { AgentKind } from './resolve-arbiter-config';

/** The compiled agent and the host values its tensors were last copied from. */
export interface AgentRuntime<T> {
  readonly kind: AgentKind;
  readonly model: Model<T>;
  /** The φ list its parameters were copied from. */
  synced: readonly T[] | undefined;
  /** The running averages its buffers equal; `undefined` once a backward pass has moved them. */
  buffers: readonly Float32Array[] | undefined;
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

/** Whether the agent has running averages (the conv agent, on a backend that exposes its buffers). */
const hasBuffers = <T>(agent: AgentRuntime<T>) =>
  (agent.model.bufferInfo?.length ?? 0) > 0 &&
  agent.model.readBuffers !== undefined &&
  agent.model.writeBuffers !== undefined;

/**
 * Compiles the agent on the inner model's backend over `dataset` (the agent's view of the
 * observations), starting from `parameters` and, when given, the running averages `buffers`.
 * @throws UnsupportedCapabilityError when the backend cannot give outputs and upstream backward passes
 */
export async function compileAgent<T>(
  inner: Model<T>,
  setup: {
    readonly kind: AgentKind;
    readonly dataset: Dataset;
    readonly parameters: readonly Float32Array[];
    readonly buffers?: readonly Float32Array[];
  },
): Promise<AgentRuntime<T>> {
  const spec = agentSpecFor(setup.kind, setup.dataset, setup.parameters.at(-1)?.length ?? 0);
  const model = await inner.compileSibling(spec, setup.dataset, { parameters: setup.parameters });
  try {
    assertCapabilities(model, ['outputs', 'outputGradient'], 'needed by the arbiter agent');
  } catch (error) {
    model.dispose();
    throw error;
  }
  const agent: AgentRuntime<T> = { kind: setup.kind, model, synced: undefined, buffers: undefined };
  if (setup.buffers) syncAgentBuffers(agent, setup.buffers);
  return agent;
}

/** Makes the compiled agent's parameters equal to `phi` (copies only when `phi` changed). */
export function syncAgent<T>(agent: AgentRuntime<T>, phi: readonly T[]): void {
  if (agent.synced === phi) return;
  agent.model.setParameters(cloneList(agent.model.ops, phi));
  agent.synced = phi;
}

/** Makes the compiled agent's running averages equal to `buffers` (writes only when they differ). */
export function syncAgentBuffers<T>(agent: AgentRuntime<T>, buffers: readonly Float32Array[]): void {
  if (!hasBuffers(agent) || agent.buffers === buffers) return;
  agent.model.writeBuffers?.(buffers);
  agent.buffers = buffers;
}

/** Host copies of the agent's running averages (`[]` for the MLP agent). */
export async function readAgentBuffers<T>(agent: AgentRuntime<T>): Promise<readonly Float32Array[]> {
  if (!hasBuffers(agent)) return [];
  if (agent.buffers) return agent.buffers;
  const buffers = (await agent.model.readBuffers?.()) ?? [];
  agent.buffers = buffers;
  return buffers;
}

/** Agent outputs o (b × K, row-major) at φ for the observation batch. */
export async function agentOutputs<T>(agent: AgentRuntime<T>, phi: readonly T[], batch: Int32Array) {
  syncAgent(agent, phi);
  const result = await agent.model.evaluate(batch, { outputs: true, runningStatistics: 'keep' });
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
    if (hasBuffers(agent)) agent.buffers = undefined;
    const result = await agent.model.evaluate(batch, { outputGradient: tensor, runningStatistics: 'update' });
    return result.gradient as T[];
  } finally {
    ops.dispose(tensor);
  }
}

/** Host copies of φ, e.g. to compile another agent view with the same parameters. */
export const readPhi = <T>(agent: AgentRuntime<T>, phi: readonly T[]) => readList(agent.model.ops, phi);
