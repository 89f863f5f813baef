import { describeSpec, InvalidHyperParameterError } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { agentInitialParameters, agentSpec, convAgentSpec, resolveAgentKind } from './agent-spec';

describe("the 'conv' agent: the authors' trunk", () => {
  it('conv 3×3 valid, three conv 3×3 stride 2, batch norm and ReLU after each, global pooling, linear head', () => {
    const { layers, shapes, buffers } = describeSpec(convAgentSpec([28, 28, 1], 4));
    // 28 − 3 + 1 = 26; ⌈26/2⌉ = 13; ⌈13/2⌉ = 7; ⌈7/2⌉ = 4 (PyTorch's padding 1, stride 2 gives the same sizes).
    expect(layers.map((l) => `${l.kind} ${l.outputShape.join('×')}`)).toEqual([
      'conv2d 26×26×64',
      'batchNorm 26×26×64',
      'conv2d 13×13×64',
      'batchNorm 13×13×64',
      'conv2d 7×7×64',
      'batchNorm 7×7×64',
      'conv2d 4×4×64',
      'batchNorm 4×4×64',
      'dense 4',
    ]);
    expect(shapes.map((s) => s.kind).filter((k) => k === 'activation')).toHaveLength(4);
    expect(shapes.at(-2)?.kind).toBe('globalAvgPool2d');
    expect(buffers).toHaveLength(8); // running mean and variance of each batch norm
  });

  it('takes its input channels from the image', () => {
    const [first] = describeSpec(convAgentSpec([32, 32, 3], 4)).parameters;
    expect(first).toMatchObject({ name: 'conv2d0/weight', shape: [3, 3, 3, 64] });
  });

  it('starts from PyTorch defaults: U(±1/√fanIn) for kernels, biases and the head; γ = 1, β = 0', () => {
    const spec = convAgentSpec([8, 8, 2], 4);
    const values = agentInitialParameters(spec, 7);
    const { parameters } = describeSpec(spec);
    const fanIns: Record<string, number> = {
      conv2d0: 9 * 2,
      conv2d2: 9 * 64,
      conv2d4: 9 * 64,
      conv2d6: 9 * 64,
      dense8: 64,
    };
    parameters.forEach((p, i) => {
      const v = values[i] as Float32Array;
      expect(v.length).toBe(p.shape.reduce((a, b) => a * b, 1));
      const layer = p.name.split('/')[0] as string;
      if (p.role === 'gamma') expect(v.every((x) => x === 1)).toBe(true);
      else if (p.role === 'beta') expect(v.every((x) => x === 0)).toBe(true);
      else {
        const bound = 1 / Math.sqrt(fanIns[layer] as number);
        const largest = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        expect(largest, p.name).toBeLessThanOrEqual(bound);
        if (v.length >= 64) expect(largest, p.name).toBeGreaterThan(0.9 * bound); // the whole range is used
      }
    });
    const same = (a: Float32Array[]) => a.every((v, i) => v.every((x, j) => x === values[i]?.[j]));
    expect(same(agentInitialParameters(spec, 7))).toBe(true); // seeded
    expect(same(agentInitialParameters(spec, 8))).toBe(false);
  });

  it("the 'mlp' agent keeps its layout: 784-64-64-K, W0 ~ U(±1/28)", () => {
    const values = agentInitialParameters(agentSpec(784, 4), 3);
    expect(values.map((v) => v.length)).toEqual([784 * 64, 64, 64 * 64, 64, 64 * 4, 4]);
    expect((values[0] as Float32Array).every((x) => Math.abs(x) <= 1 / 28)).toBe(true);
  });
});

describe('resolveAgentKind', () => {
  it("by default: 'conv' for images [h, w, c] of at least 3×3, 'mlp' otherwise", () => {
    expect(resolveAgentKind(null, [28, 28, 1])).toBe('conv');
    expect(resolveAgentKind(null, [3, 3, 2])).toBe('conv');
    expect(resolveAgentKind(null, [784])).toBe('mlp');
    expect(resolveAgentKind(null, [2, 9, 1])).toBe('mlp');
    expect(resolveAgentKind('mlp', [28, 28, 1])).toBe('mlp');
  });

  it("refuses 'conv' for observations that are not such images, naming the feature shape", () => {
    for (const shape of [[784], [2, 9, 1]]) {
      const error = (() => {
        try {
          return resolveAgentKind('conv', shape);
        } catch (e) {
          return e;
        }
      })();
      expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `arbiter: agent must be 'mlp' for a dataset whose featureShape is [${shape.join(', ')}] (the conv agent ` +
          'reads images [height, width, channels] of at least 3×3), got "conv"',
      );
    }
  });
});
