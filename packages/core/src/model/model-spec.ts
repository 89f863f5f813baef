/**
 * Model specifications are plain data, so one spec compiles on every backend and one seed gives
 * the same initial parameters everywhere. A spec is an input shape, a list of layers and a loss;
 * `mlp([784, 128, 10])` is a shorthand for dense layers with activations between them. Images
 * are NHWC: an example of shape `[height, width, channels]`.
 *
 * The builders (`dense`, `conv2d`, …) fill defaults and check each field; `sequential` checks
 * that the shapes chain (see `describeSpec`). A spec written as a literal is checked the same
 * way when a backend compiles it.
 */
import { checker } from '../config/validate';
import { describeSpec } from './describe-spec';

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'identity';
export type Loss = 'softmax-cross-entropy' | 'mse';
export type Padding = 'same' | 'valid';

/**
 * Weight initialisation of a dense or conv layer. Biases start at `bias` (default 0).
 * Fans: dense `in`/`out`; conv2d `kh·kw·inChannels` / `kh·kw·filters` (as in Keras).
 * - `'he-normal'`: N(0, 2/fanIn) — the default after relu.
 * - `'glorot-uniform'`: U(±√(6/(fanIn+fanOut))) — the default otherwise.
 * - `{ kind: 'normal' | 'truncated-normal', std, bias? }`: fixed std (truncated at 2σ, as in
 *   TensorFlow) and a constant bias; the CABS MNIST net uses `{ kind: 'truncated-normal', std: 0.01, bias: 0.05 }`.
 */
export type Initializer =
  | 'he-normal'
  | 'glorot-uniform'
  | { readonly kind: 'normal' | 'truncated-normal'; readonly std: number; readonly bias?: number };

/** z = a·W + b with `W: in × units`. The input must be a vector (use `flatten` after images). */
export interface DenseLayer {
  readonly kind: 'dense';
  readonly units: number;
  readonly bias: boolean;
  readonly init: Initializer;
}

/** 2-D convolution over NHWC images; kernel `[kh, kw, inChannels, filters]` (HWIO, as TensorFlow). */
export interface Conv2dLayer {
  readonly kind: 'conv2d';
  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  /** `'same'`: output ⌈in/stride⌉, zero padding split as TensorFlow does (the extra row/column at the end). */
  readonly padding: Padding;
  readonly bias: boolean;
  readonly init: Initializer;
}

/** Max or average pooling per channel; `'same'` pads as TensorFlow (averages count only real inputs). */
export interface Pool2dLayer {
  readonly kind: 'maxPool2d' | 'avgPool2d';
  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
}

/** Mean over height and width: `[h, w, c]` → `[c]`. */
export interface GlobalAvgPool2dLayer {
  readonly kind: 'globalAvgPool2d';
}

/** `[h, w, c]` → `[h·w·c]`, row-major (NHWC order). */
export interface FlattenLayer {
  readonly kind: 'flatten';
}

export interface ActivationLayer {
  readonly kind: 'activation';
  readonly activation: Activation;
}

/**
 * `block(x) + shortcut(x)`. An empty `shortcut` is the identity; a projection is a 1×1 strided
 * convolution (optionally with batch norm). Both paths must end in the same shape. A ResNet
 * basic block is `residual([conv, bn, relu, conv, bn], …)` followed by a `relu`.
 */
export interface ResidualLayer {
  readonly kind: 'residual';
  readonly block: readonly LayerSpec[];
  readonly shortcut: readonly LayerSpec[];
}

/**
 * Batch normalisation per channel (the last axis): y = γ·(x − μ)/√(σ² + ε) + β. Training passes
 * use the batch's μ and (biased) σ²; `predict` and exported models use running averages,
 * updated by every training pass as r ← momentum·r + (1 − momentum)·batch value (Keras's
 * convention; PyTorch's momentum 0.1 is 0.9 here). γ starts at 1, β at 0, the running mean at 0
 * and the running variance at 1. It mixes the examples of a batch, so per-example gradients are
 * undefined for a model that has it.
 */
export interface BatchNormLayer {
  readonly kind: 'batchNorm';
  readonly momentum: number;
  readonly epsilon: number;
}

export type LayerSpec =
  | DenseLayer
  | Conv2dLayer
  | Pool2dLayer
  | GlobalAvgPool2dLayer
  | FlattenLayer
  | ActivationLayer
  | ResidualLayer
  | BatchNormLayer;

export interface SequentialSpec {
  readonly kind: 'sequential';
  /** Shape of one example, e.g. `[784]` or `[28, 28, 1]`; must equal the dataset's `featureShape`. */
  readonly inputShape: readonly number[];
  readonly layers: readonly LayerSpec[];
  /**
   * Per example: softmax cross-entropy −log softmax(z)_y, or `mse` = ½‖z − t‖² (the half sum
   * of squares, whose gradient is z − t). The last layer's output is the logits `z`.
   */
  readonly loss: Loss;
}

export type ModelSpec = SequentialSpec;

const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'identity'] as const;
const LOSSES = ['softmax-cross-entropy', 'mse'] as const;

function pair(owner: string, field: string, value: number | readonly [number, number]): [number, number] {
  const c = checker(owner);
  const v = typeof value === 'number' ? [value, value] : value;
  c.check(Array.isArray(v) && v.length === 2, field, value, 'an integer or a pair of integers');
  c.integer(`${field}[0]`, v[0], { gte: 1 });
  c.integer(`${field}[1]`, v[1], { gte: 1 });
  return [v[0] as number, v[1] as number];
}

function initializer(owner: string, init: Initializer): Initializer {
  const c = checker(owner);
  if (typeof init === 'string') return c.oneOf('init', init, ['he-normal', 'glorot-uniform']);
  c.check(typeof init === 'object' && init !== null, 'init', init, "'he-normal', 'glorot-uniform' or { kind, std }");
  c.oneOf('init.kind', init.kind, ['normal', 'truncated-normal']);
  c.number('init.std', init.std, { gt: 0 });
  if (init.bias !== undefined) c.number('init.bias', init.bias);
  return { ...init };
}

export interface DenseOptions {
  /** Default `true`. */
  readonly bias?: boolean;
  /** Default `'he-normal'` (set `'glorot-uniform'` before tanh, sigmoid or the output). */
  readonly init?: Initializer;
}

/** @example dense(10) // { kind: 'dense', units: 10, bias: true, init: 'he-normal' } */
export function dense(units: number, options: DenseOptions = {}): DenseLayer {
  const c = checker('dense');
  return {
    kind: 'dense',
    units: c.integer('units', units, { gte: 1 }),
    bias: c.boolean('bias', options.bias ?? true),
    init: initializer('dense', options.init ?? 'he-normal'),
  };
}

export interface Conv2dOptions {
  /** Default 1. */
  readonly strides?: number | readonly [number, number];
  /** Default `'same'`. */
  readonly padding?: Padding;
  readonly bias?: boolean;
  /** Default `'he-normal'`. */
  readonly init?: Initializer;
}

/** @example conv2d(32, 5) // 5×5 kernel, 32 filters, stride 1, 'same' padding, bias, He-normal */
export function conv2d(
  filters: number,
  kernelSize: number | readonly [number, number],
  options: Conv2dOptions = {},
): Conv2dLayer {
  const c = checker('conv2d');
  return {
    kind: 'conv2d',
    filters: c.integer('filters', filters, { gte: 1 }),
    kernelSize: pair('conv2d', 'kernelSize', kernelSize),
    strides: pair('conv2d', 'strides', options.strides ?? 1),
    padding: c.oneOf('padding', options.padding ?? 'same', ['same', 'valid']),
    bias: c.boolean('bias', options.bias ?? true),
    init: initializer('conv2d', options.init ?? 'he-normal'),
  };
}

export interface Pool2dOptions {
  /** Default: the pool size. */
  readonly strides?: number | readonly [number, number];
  /** Default `'valid'`. */
  readonly padding?: Padding;
}

function pool(kind: Pool2dLayer['kind'], poolSize: number | readonly [number, number], options: Pool2dOptions) {
  const size = pair(kind, 'poolSize', poolSize);
  return {
    kind,
    poolSize: size,
    strides: pair(kind, 'strides', options.strides ?? size),
    padding: checker(kind).oneOf('padding', options.padding ?? 'valid', ['same', 'valid']),
  };
}

/** @example maxPool2d(2) // 2×2 windows, stride 2, 'valid' */
export const maxPool2d = (poolSize: number | readonly [number, number], options: Pool2dOptions = {}): Pool2dLayer =>
  pool('maxPool2d', poolSize, options);

/** @example avgPool2d(3, { strides: 2, padding: 'same' }) */
export const avgPool2d = (poolSize: number | readonly [number, number], options: Pool2dOptions = {}): Pool2dLayer =>
  pool('avgPool2d', poolSize, options);

export const globalAvgPool2d = (): GlobalAvgPool2dLayer => ({ kind: 'globalAvgPool2d' });
export const flatten = (): FlattenLayer => ({ kind: 'flatten' });

/** @example activation('tanh') */
export function activation(name: Activation): ActivationLayer {
  return { kind: 'activation', activation: checker('activation').oneOf('activation', name, ACTIVATIONS) };
}
export const relu = (): ActivationLayer => activation('relu');

export interface ResidualOptions {
  /** Layers of the shortcut path; default `[]`, the identity. See `projection`. */
  readonly shortcut?: readonly LayerSpec[];
}

/** @example residual([conv2d(16, 3), batchNorm(), relu(), conv2d(16, 3), batchNorm()]) */
export function residual(block: readonly LayerSpec[], options: ResidualOptions = {}): ResidualLayer {
  const c = checker('residual');
  c.check(Array.isArray(block) && block.length > 0, 'block', block, 'a non-empty array of layers');
  const shortcut = options.shortcut ?? [];
  c.check(Array.isArray(shortcut), 'shortcut', shortcut, 'an array of layers');
  return { kind: 'residual', block: [...block], shortcut: [...shortcut] };
}

/**
 * A ResNet projection shortcut: a 1×1 convolution with stride `strides`, no bias.
 * @example residual(block, { shortcut: projection(32, 2) })
 */
export function projection(filters: number, strides: number, options: { batchNorm?: boolean } = {}): LayerSpec[] {
  const conv = conv2d(filters, 1, { strides, padding: 'valid', bias: false });
  return options.batchNorm ? [conv, batchNorm()] : [conv];
}

export interface BatchNormOptions {
  /** Running-average momentum in [0, 1); default 0.9. */
  readonly momentum?: number;
  /** ε > 0; default 1e-5. */
  readonly epsilon?: number;
}

export function batchNorm(options: BatchNormOptions = {}): BatchNormLayer {
  const c = checker('batchNorm');
  return {
    kind: 'batchNorm',
    momentum: c.number('momentum', options.momentum ?? 0.9, { gte: 0, lt: 1 }),
    epsilon: c.number('epsilon', options.epsilon ?? 1e-5, { gt: 0 }),
  };
}

/**
 * A sequential network. Checks that every layer's shape chains into the next and throws
 * `InvalidModelSpecError` naming the layer and field otherwise.
 * @example
 * // The CABS MNIST net.
 * const init = { kind: 'truncated-normal', std: 0.01, bias: 0.05 } as const;
 * sequential([28, 28, 1], [
 *   conv2d(32, 5, { init }), relu(), maxPool2d(2),
 *   conv2d(64, 5, { init }), relu(), maxPool2d(2),
 *   flatten(), dense(1024, { init }), relu(), dense(10, { init }),
 * ]);
 */
export function sequential(
  inputShape: readonly number[],
  layers: readonly LayerSpec[],
  options: { readonly loss?: Loss } = {},
): SequentialSpec {
  const c = checker('sequential');
  c.check(Array.isArray(inputShape) && inputShape.length > 0, 'inputShape', inputShape, 'a non-empty array');
  inputShape.forEach((d, i) => c.integer(`inputShape[${i}]`, d, { gte: 1 }));
  c.check(Array.isArray(layers) && layers.length > 0, 'layers', layers, 'a non-empty array of layers');
  const spec: SequentialSpec = {
    kind: 'sequential',
    inputShape: [...inputShape],
    layers: [...layers],
    loss: c.oneOf('loss', options.loss ?? 'softmax-cross-entropy', LOSSES),
  };
  describeSpec(spec);
  return spec;
}

export interface MlpOptions {
  /** Hidden activation (default `'relu'`); the output layer is linear. */
  readonly activation?: Activation;
  readonly loss?: Loss;
  readonly bias?: boolean;
  /** Default by activation: He-normal for relu, Glorot-uniform otherwise. */
  readonly init?: Initializer;
}

/**
 * A multi-layer perceptron: the shorthand for `sequential([w0], [dense(w1), act, …, dense(wL)])`.
 * @param layerSizes widths from input to output (at least two entries)
 * @example
 * mlp([784, 128, 10]);
 * // sequential([784], [dense(128), relu(), dense(10)]), every dense He-normal with bias
 */
export function mlp(layerSizes: readonly number[], options: MlpOptions = {}): SequentialSpec {
  const c = checker('mlp');
  c.check(
    Array.isArray(layerSizes) && layerSizes.length >= 2,
    'layerSizes',
    layerSizes,
    'an array of at least 2 widths',
  );
  layerSizes.forEach((w, i) => c.integer(`layerSizes[${i}]`, w, { gte: 1 }));
  const act = c.oneOf('activation', options.activation ?? 'relu', ACTIVATIONS);
  const loss = c.oneOf('loss', options.loss ?? 'softmax-cross-entropy', LOSSES);
  const bias = c.boolean('bias', options.bias ?? true);
  const init = initializer('mlp', options.init ?? (act === 'relu' ? 'he-normal' : 'glorot-uniform'));
  const layers: LayerSpec[] = [];
  layerSizes.slice(1).forEach((units, l) => {
    if (l > 0) layers.push({ kind: 'activation', activation: act });
    layers.push({ kind: 'dense', units, bias, init });
  });
  return { kind: 'sequential', inputShape: [layerSizes[0] as number], layers, loss };
}
