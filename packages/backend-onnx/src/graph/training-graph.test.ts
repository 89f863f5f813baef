import { conv2d, dense, flatten, mlp, relu, sequential } from '@abs/core';
import { describe, expect, it } from 'vitest';
import type { ModelProto } from '../proto/onnx-proto';
import { type GraphSignature, signatureKey } from './signature';
import { buildTrainingGraph, scalarValue, weightScale } from './training-graph';

const base: GraphSignature = {
  start: 0,
  head: 'loss',
  gradient: false,
  secondMoment: false,
  gram: false,
  exampleNorms: false,
  weights: 'none',
  featureGradient: false,
  outputs: false,
};
const spec = mlp([4, 5, 3]);
const inputsOf = (m: ModelProto) => m.graph.input.map((v) => v.name).sort();
const outputsOf = (m: ModelProto) => m.graph.output.map((v) => v.name).sort();
const count = (m: ModelProto, op: string) => m.graph.node.filter((n) => n.opType === op).length;

describe('buildTrainingGraph', () => {
  it('loss only: forward and per-example loss, no backward pass', () => {
    const m = buildTrainingGraph(spec, base);
    expect(inputsOf(m)).toEqual(['param_0', 'param_1', 'param_2', 'param_3', 'target', 'x']);
    expect(outputsOf(m)).toEqual(['loss']);
    expect(count(m, 'Gemm')).toBe(2);
  });

  it('gradient: 3 matmuls per layer except the first layer’s input gradient, bias sums as ones·Δ', () => {
    const m = buildTrainingGraph(spec, { ...base, gradient: true });
    expect(inputsOf(m)).toEqual(['batch_scale', 'ones', 'param_0', 'param_1', 'param_2', 'param_3', 'target', 'x']);
    expect(outputsOf(m)).toEqual(['gradient_0', 'gradient_1', 'gradient_2', 'gradient_3', 'loss']);
    // 2 forward + 2 weight gradients + 1 input gradient (layer 1 only).
    expect(count(m, 'Gemm')).toBe(5);
    expect(count(m, 'MatMul')).toBe(2);
    expect(m.graph.output.find((o) => o.name === 'gradient_1')?.type.tensorType.shape.dim).toEqual([
      { dimValue: 1 },
      { dimValue: 5 },
    ]);
  });

  it('upstream head: no targets, no loss, no 1/n', () => {
    const m = buildTrainingGraph(spec, { ...base, head: 'upstream', gradient: true });
    expect(inputsOf(m)).toEqual(['ones', 'param_0', 'param_1', 'param_2', 'param_3', 'upstream', 'x']);
    expect(outputsOf(m)).not.toContain('loss');
  });

  it('weights from Gram: keeps each layer’s activations and deltas', () => {
    const m = buildTrainingGraph(spec, { ...base, gram: true, weights: 'keep' });
    expect(outputsOf(m)).toEqual(['activation_0', 'activation_1', 'delta_0', 'delta_1', 'gram_0', 'gram_1', 'loss']);
  });

  it('replaced features: only the parameters from that layer up, and the feature gradient', () => {
    const m = buildTrainingGraph(spec, { ...base, start: 1, gradient: true, featureGradient: true });
    expect(inputsOf(m)).toEqual(['batch_scale', 'ones', 'param_2', 'param_3', 'target', 'x']);
    expect(outputsOf(m)).toEqual(['feature_gradient', 'gradient_2', 'gradient_3', 'loss']);
  });

  it('an SGD step with ξ: only the new parameters and scalars leave the graph', () => {
    const m = buildTrainingGraph(spec, { ...base, step: 'sgd', variance: 'norms' });
    expect(inputsOf(m)).toEqual([
      'batch_scale',
      'moment_scale',
      'ones',
      'param_0',
      'param_1',
      'param_2',
      'param_3',
      'step_rate',
      'target',
      'x',
    ]);
    expect(outputsOf(m)).toEqual([
      'gradient_norm_squared',
      'gradient_variance',
      'loss',
      'updated_0',
      'updated_1',
      'updated_2',
      'updated_3',
      'updated_check',
    ]);
    // ξ of a dense layer from ‖a_i‖² and ‖δ_i‖²: the plain step's 5 Gemm and 2 bias MatMul, plus
    // four batched row dots ([n, 1, m]·[n, m, 1]), no product over the layer's weights.
    expect(count(m, 'Gemm')).toBe(5);
    expect(count(m, 'MatMul')).toBe(2 + 4);
  });

  it('a normalised SGD step with decay takes ε and 1 − ηλ as inputs and adds only scalar nodes', () => {
    const plain = buildTrainingGraph(spec, { ...base, step: 'sgd-decay' });
    const m = buildTrainingGraph(spec, { ...base, step: 'sgd-decay', normalize: true });
    expect(inputsOf(m)).toEqual([...inputsOf(plain), 'step_epsilon'].sort());
    expect(inputsOf(plain)).not.toContain('step_epsilon');
    expect(outputsOf(m)).toEqual(outputsOf(plain));
    // n = Where(‖∇‖² > 0, Sqrt(‖∇‖²), ε) and η/n: four scalar nodes, the same products.
    expect(m.graph.node.length - plain.graph.node.length).toBe(4);
    for (const op of ['Greater', 'Where', 'Sqrt', 'Div']) expect(count(m, op), op).toBe(count(plain, op) + 1);
  });

  it('runs the per-example statistics of a conv layer with 8+ input channels one kernel offset per Loop iteration', () => {
    // One offset's slice of every example's gradient, [n, F, C], is alive at a time.
    const conv = sequential([6, 6, 8], [conv2d(4, 3), relu(), flatten(), dense(3)]);
    expect(count(buildTrainingGraph(conv, { ...base, step: 'sgd' }), 'Loop')).toBe(0);
    const m = buildTrainingGraph(conv, { ...base, step: 'sgd', variance: 'norms', secondMoment: true, gram: true });
    const loops = m.graph.node.filter((n) => n.opType === 'Loop');
    expect(loops).toHaveLength(1);
    const body = loops[0]?.attribute?.find((a) => a.name === 'body')?.g;
    expect(body?.node.filter((n) => n.opType === 'Slice')).toHaveLength(1);
    // Condition, the norms and Gram sums, and the gradient and moment slices stacked over offsets.
    expect(body?.output).toHaveLength(5);
    // The plain step's products over the patches are gone: the gradient is Σ_i G_i from the loop.
    expect(count(m, 'Slice')).toBe(0);
  });

  it('gives every signature its own key', () => {
    const variants: GraphSignature[] = [
      base,
      { ...base, gradient: true },
      { ...base, gradient: true, secondMoment: true },
      { ...base, gram: true },
      { ...base, weights: 'input' },
      { ...base, weights: 'keep', gram: true },
      { ...base, features: 1 },
      { ...base, start: 1, featureGradient: true },
      { ...base, outputs: true },
      { ...base, head: 'upstream', gradient: true },
      { ...base, step: 'sgd' },
      { ...base, step: 'sgd', variance: 'norms' },
      { ...base, step: 'sgd', variance: 'reference' },
      { ...base, step: 'sgd', normalize: true },
      { ...base, step: 'sgd-decay', normalize: true, variance: 'norms' },
    ];
    expect(new Set(variants.map(signatureKey)).size).toBe(variants.length);
  });
});

describe('statistic scales', () => {
  it('undo the 1/n folded into Δ̄ for a loss head (n = 4, s = 1/4)', () => {
    expect(scalarValue('batch_scale', 4, 'loss')).toBe(0.25);
    expect(scalarValue('moment_scale', 4, 'loss')).toBe(4); // (1/n)/s² = n
    expect(scalarValue('gram_scale', 4, 'loss')).toBe(16); // 1/s² = n²
    expect(scalarValue('feature_scale', 4, 'loss')).toBe(1); // (1/n)/s = 1
    expect(weightScale(4, 'loss')).toBe(4); // w/s
  });

  it('leave an upstream gradient unscaled (s = 1)', () => {
    expect(scalarValue('moment_scale', 4, 'upstream')).toBe(0.25);
    expect(scalarValue('gram_scale', 4, 'upstream')).toBe(1);
    expect(scalarValue('feature_scale', 4, 'upstream')).toBe(0.25);
    expect(weightScale(4, 'upstream')).toBe(1);
  });
});
