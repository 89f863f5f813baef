/**
 * The compiled agents of one `arbiter(...)` algorithm, one per inner model: compiled at `init`,
 * rebuilt from the state's φ and running averages when a resumed run (or one whose agent was
 * released) takes a step, and disposed by `release` — after a failed step, and when the caller
 * is done with the run (README “API”). A compiled agent holds backend memory (its parameters
 * and, on a device, a copy of the observations), which garbage collection does not free.
 */
import { type Model, readList } from '@abs/core';
import { type AgentRuntime, agentDataset, compileAgent, syncAgentBuffers } from './agent';
import { agentInitialParameters, agentSpecFor, resolveAgentKind } from './agent-spec';
import type { ArbiterState } from './arbiter-state';
import type { AgentKind } from './resolve-arbiter-config';

export interface AgentRegistry {
  /**
   * A fresh agent for `model` (the kind `config.agent` gives for its dataset) with the seeded
   * initial parameters; one compiled before for `model` is disposed.
   */
  create<T>(model: Model<T>, seed: number): Promise<AgentRuntime<T>>;
  /** The agent of `model` with the running averages of `state` (compiled from it when there is none). */
  forState<T>(model: Model<T>, state: ArbiterState<T>): Promise<AgentRuntime<T>>;
  /** Disposes the agent of `model`, if any. */
  release(model: object): void;
}

export function createAgentRegistry(config: {
  readonly agent: AgentKind | null;
  readonly nSamples: number;
}): AgentRegistry {
  const agents = new WeakMap<object, AgentRuntime<unknown>>();
  const release = (model: object) => {
    agents.get(model)?.model.dispose();
    agents.delete(model);
  };
  const viewOf = (model: Model<unknown>) => ({
    kind: resolveAgentKind(config.agent, model.dataset.featureShape),
    dataset: agentDataset(model.dataset, config.nSamples),
  });
  async function compile<T>(model: Model<T>, setup: Parameters<typeof compileAgent<T>>[1]) {
    release(model);
    const agent = await compileAgent(model, setup);
    agents.set(model, agent as AgentRuntime<unknown>);
    return agent;
  }
  return {
    create(model, seed) {
      const view = viewOf(model);
      const parameters = agentInitialParameters(agentSpecFor(view.kind, view.dataset, config.nSamples), seed);
      return compile(model, { ...view, parameters });
    },
    async forState<T>(model: Model<T>, state: ArbiterState<T>) {
      const cached = agents.get(model) as AgentRuntime<T> | undefined;
      if (cached) {
        syncAgentBuffers(cached, state.agentBuffers);
        return cached;
      }
      const parameters = await readList(model.ops, state.phi);
      return compile(model, { ...viewOf(model), parameters, buffers: state.agentBuffers });
    },
    release,
  };
}
