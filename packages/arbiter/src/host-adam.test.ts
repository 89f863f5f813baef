import { adam, createHostTensorOps } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { hostAdamInit, hostAdamStep } from './host-adam';

describe('host Adam', () => {
  const config = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 5e-4 };

  it('matches core adam (coupled L2) step for step', () => {
    const ops = createHostTensorOps();
    const core = adam({ learningRate: 1e-2, ...config });
    let params = [ops.fromArray(Float32Array.from([0.5, -0.25]), [2])];
    let coreState = core.init(ops, params);
    let host: ReturnType<typeof hostAdamStep> = { parameters: Float64Array.from([0.5, -0.25]), state: hostAdamInit(2) };
    for (const g of [
      [1, -2],
      [0.5, 0.5],
      [-3, 1],
    ]) {
      const out = core.update(ops, {
        gradient: [ops.fromArray(Float32Array.from(g), [2])],
        parameters: params,
        state: coreState,
      });
      params = out.parameters;
      coreState = out.state;
      host = hostAdamStep({ parameters: host.parameters, gradient: g, state: host.state, learningRate: 1e-2, config });
      host.parameters.forEach((v, i) => expect(v).toBeCloseTo(params[0]?.data[i] as number, 6));
    }
    expect(host.state.step).toBe(3);
  });

  it('leaves its inputs unchanged', () => {
    const parameters = Float64Array.from([1]);
    const state = hostAdamInit(1);
    hostAdamStep({ parameters, gradient: [2], state, learningRate: 0.1, config });
    expect(Array.from(parameters)).toEqual([1]);
    expect(Array.from(state.m)).toEqual([0]);
  });
});
