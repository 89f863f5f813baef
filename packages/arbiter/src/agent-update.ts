/**
 * The outer update of README “One iteration” step 10: one Adam step with coupled L2
 * weight decay on (φ, m) at `phiLr` and on α at `alphaLr`. φ lives on the backend and uses
 * core's `adam`; m and α live in JavaScript and use the host Adam. Inputs are left intact
 * (the caller disposes the old φ and Adam state once the whole step has succeeded).
 */
import { adam, type Optimizer, type OptimizerState, type TensorOps } from '@abs/core';
import { type HostAdamConfig, type HostAdamState, hostAdamStep } from './host-adam';

/** The agent's trainable state. */
export interface AgentParameters<T> {
  readonly phi: readonly T[];
  readonly phiAdam: OptimizerState<T>;
  readonly m: Float64Array;
  readonly mAdam: HostAdamState;
  readonly alpha: Float64Array;
  readonly alphaAdam: HostAdamState;
}

export interface AgentUpdateConfig extends HostAdamConfig {
  readonly phiLr: number;
  readonly alphaLr: number;
}

/** Core's Adam for φ, configured like the host Adam (its learning rate is set per call). */
export const agentAdam = (config: HostAdamConfig): Optimizer =>
  adam({
    learningRate: 1,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
    weightDecay: config.weightDecay,
  });

/**
 * @param gradients ∂/∂φ (tensors), ∂/∂m (omit to leave m and its Adam state unchanged, as
 *   in warm-up) and ∂/∂α
 * @returns new parameters and Adam states; the caller owns the new φ and its Adam slots
 */
export function updateAgent<T>(
  ops: TensorOps<T>,
  input: {
    readonly optimizer: Optimizer;
    readonly current: AgentParameters<T>;
    readonly gradients: { readonly phi: readonly T[]; readonly m?: Float64Array; readonly alpha: Float64Array };
    readonly config: AgentUpdateConfig;
  },
): AgentParameters<T> {
  const { optimizer, current, gradients, config } = input;
  const phi = optimizer.update(ops, {
    gradient: gradients.phi,
    parameters: current.phi,
    state: current.phiAdam,
    learningRate: config.phiLr,
  });
  const m = gradients.m
    ? hostAdamStep({
        parameters: current.m,
        gradient: gradients.m,
        state: current.mAdam,
        learningRate: config.phiLr,
        config,
      })
    : { parameters: current.m, state: current.mAdam };
  const alpha = hostAdamStep({
    parameters: current.alpha,
    gradient: gradients.alpha,
    state: current.alphaAdam,
    learningRate: config.alphaLr,
    config,
  });
  return {
    phi: phi.parameters,
    phiAdam: phi.state,
    m: m.parameters,
    mAdam: m.state,
    alpha: alpha.parameters,
    alphaAdam: alpha.state,
  };
}
