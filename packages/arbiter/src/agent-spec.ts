/**
 * The agent's architectures (README “The agent”) and their initialisation. `'conv'` is the
 * authors' trunk for image observations: a 3×3 convolution without padding, three 3×3 stride-2
 * convolutions, each followed by batch normalisation and ReLU, global average pooling and a
 * linear head with K outputs. `'mlp'` is abs's adaptation for flat observations: 64-64 ReLU.
 */
import {
  batchNorm,
  checker,
  conv2d,
  createRng,
  type Dataset,
  dense,
  deriveSeed,
  describeSpec,
  featureSize,
  globalAvgPool2d,
  type ModelSpec,
  mlp,
  relu,
  sequential,
} from '@abs/core';
import type { AgentKind } from './resolve-arbiter-config';

/** Hidden widths of the `'mlp'` agent. */
export const AGENT_HIDDEN_SIZES = [64, 64] as const;

/** Filters of every convolution of the `'conv'` agent. */
export const CONV_AGENT_FILTERS = 64;

/**
 * mlp([inputWidth, 64, 64, K]) with ReLU. The loss is `'mse'` against zero targets only
 * because a spec needs one: Arbiter reads outputs and supplies its own upstream gradient.
 * @example
 * describeSpec(agentSpec(784, 4)).layers.map((l) => l.outputSize); // [64, 64, 4]
 */
export const agentSpec = (inputWidth: number, nSamples: number): ModelSpec =>
  mlp([inputWidth, ...AGENT_HIDDEN_SIZES, nSamples], { activation: 'relu', loss: 'mse' });

/**
 * The authors' agent over images `[height, width, channels]` (at least 3×3): conv 3×3 'valid'
 * C→64, then three conv 3×3 stride 2 'same' 64→64, each with batch norm (momentum 0.9 here is
 * PyTorch's 0.1) and ReLU; global average pooling; dense 64→K.
 * @example
 * describeSpec(convAgentSpec([28, 28, 1], 4)).layers.map((l) => l.outputShape);
 * // [26,26,64] ×2, [13,13,64] ×2, [7,7,64] ×2, [4,4,64] ×2, [4]
 */
export function convAgentSpec(imageShape: readonly number[], nSamples: number): ModelSpec {
  const block = (strides: number) => [
    conv2d(CONV_AGENT_FILTERS, 3, { strides, padding: strides === 1 ? 'valid' : 'same' }),
    batchNorm(),
    relu(),
  ];
  return sequential(
    imageShape,
    [...block(1), ...block(2), ...block(2), ...block(2), globalAvgPool2d(), dense(nSamples)],
    {
      loss: 'mse',
    },
  );
}

/** Whether `featureShape` is an image the conv agent can read: `[h, w, c]` with h, w ≥ 3. */
const readsImage = (featureShape: readonly number[]) =>
  featureShape.length === 3 && (featureShape[0] as number) >= 3 && (featureShape[1] as number) >= 3;

/**
 * The agent kind for a dataset: the requested one, or by default (`null`) `'conv'` for image
 * datasets and `'mlp'` otherwise.
 * @throws InvalidHyperParameterError for `'conv'` on observations that are not such images
 * @example
 * resolveAgentKind(null, [28, 28, 1]); // 'conv'
 */
export function resolveAgentKind(requested: AgentKind | null, featureShape: readonly number[]): AgentKind {
  const image = readsImage(featureShape);
  if (requested === null) return image ? 'conv' : 'mlp';
  checker('arbiter').check(
    requested === 'mlp' || image,
    'agent',
    requested,
    `'mlp' for a dataset whose featureShape is [${featureShape.join(', ')}] (the conv agent reads images [height, width, channels] of at least 3×3)`,
  );
  return requested;
}

/** The agent's spec for its view of the data (see `agentDataset`). */
export const agentSpecFor = (kind: AgentKind, dataset: Dataset, nSamples: number): ModelSpec =>
  kind === 'conv' ? convAgentSpec(dataset.featureShape, nSamples) : agentSpec(featureSize(dataset), nSamples);

/**
 * The framework default of the reference (PyTorch's `nn.Linear` and `nn.Conv2d`: Kaiming-uniform
 * with a = √5, i.e. weights and biases ~ U(±1/√fanIn), fanIn = inputs per output; batch norm
 * γ = 1, β = 0), seeded per layer.
 * @example
 * agentInitialParameters(agentSpec(4, 4), 1)[0].length; // 256 (W0: 4 × 64)
 */
export function agentInitialParameters(spec: ModelSpec, seed: number): Float32Array[] {
  const { layers, parameters } = describeSpec(spec);
  return layers.flatMap((layer, l) => {
    const shapes = layer.parameters.map((p) => parameters[p]?.shape as readonly number[]);
    const sizes = shapes.map((shape) => shape.reduce((a, b) => a * b, 1));
    if (layer.kind === 'batchNorm') {
      return [new Float32Array(sizes[0] as number).fill(1), new Float32Array(sizes[1] as number)];
    }
    const weight = shapes[0] as readonly number[];
    const bound = 1 / Math.sqrt((sizes[0] as number) / (weight.at(-1) as number));
    const rng = createRng(deriveSeed(seed, 'arbiter-agent', l));
    return sizes.map((n) => Float32Array.from({ length: n }, () => bound * (2 * rng.nextFloat() - 1)));
  });
}
