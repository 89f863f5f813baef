/**
 * Shape inference and layout of a spec: which parameters and buffers it has, in which order,
 * and what shape every layer sees. Every backend compiles from this description, so they agree
 * on names, shapes and order; and every malformed spec fails here with an `InvalidModelSpecError`
 * naming the layer and the field.
 */
import { InvalidHyperParameterError } from '../errors/invalid-hyper-parameter-error';
import { InvalidModelSpecError } from '../errors/invalid-model-spec-error';
import {
  activation,
  avgPool2d,
  type BatchNormLayer,
  batchNorm,
  type Conv2dLayer,
  conv2d,
  type DenseLayer,
  dense,
  type LayerSpec,
  type ModelSpec,
  maxPool2d,
  type Padding,
} from './model-spec';

/** One parameter tensor of a compiled model. */
export interface ParameterInfo {
  /** e.g. `'dense0/weight'`, `'conv1/bias'`, `'batchNorm2/gamma'` */
  readonly name: string;
  /** dense `[in, out]`; conv2d `[kh, kw, inChannels, filters]`; biases, γ and β `[channels]` */
  readonly shape: readonly number[];
  /** Index of the parameterised layer it belongs to (into `layers`). */
  readonly layer: number;
  readonly role: 'weight' | 'bias' | 'gamma' | 'beta';
}

/** One non-trainable tensor (batch-norm running averages); part of checkpoints and exports. */
export interface BufferInfo {
  /** e.g. `'batchNorm2/runningMean'` */
  readonly name: string;
  readonly shape: readonly number[];
  readonly layer: number;
  readonly role: 'runningMean' | 'runningVariance';
}

/**
 * One parameterised layer (dense, conv2d, batchNorm), in the order their parameters appear.
 * Statistics "per layer" (Gram matrices, example weights) and the `layer` of `features` /
 * `replaceFeatures` requests index this list.
 */
export interface LayerInfo {
  readonly index: number;
  readonly kind: 'dense' | 'conv2d' | 'batchNorm';
  /** `${kind}${index}`, the prefix of its parameter names. */
  readonly name: string;
  /** Where it sits in the spec, e.g. `'layers[3]'` or `'layers[5].block[0]'`. */
  readonly path: string;
  readonly spec: DenseLayer | Conv2dLayer | BatchNormLayer;
  /** Shape of one example entering and leaving the layer. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Products of the shapes (flattened widths). */
  readonly inputSize: number;
  readonly outputSize: number;
  readonly parameters: readonly number[];
  /**
   * Index in the spec's top-level `layers` list, or `undefined` for a layer inside a residual
   * block (whose input is not a point where the network can be cut: `features` and
   * `replaceFeatures` refuse it).
   */
  readonly sequenceIndex: number | undefined;
}

/** Every layer of the spec with its shapes, in execution order (residual paths nested). */
export interface LayerShape {
  readonly path: string;
  readonly kind: LayerSpec['kind'];
  /** The layer with its defaults filled in. */
  readonly spec: LayerSpec;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
}

export interface SpecDescription {
  readonly parameters: ParameterInfo[];
  readonly buffers: BufferInfo[];
  readonly layers: LayerInfo[];
  readonly shapes: LayerShape[];
  readonly inputShape: readonly number[];
  /** Shape of one example's output (logits): always a vector. */
  readonly outputShape: readonly number[];
  /** The first batch-norm layer, which makes per-example gradients undefined. */
  readonly batchNorm: LayerInfo | undefined;
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Output length and padding before, as TensorFlow computes them. */
export function windowOutput(
  input: number,
  window: number,
  stride: number,
  padding: Padding,
): { output: number; before: number } {
  if (padding === 'valid') return { output: Math.floor((input - window) / stride) + 1, before: 0 };
  const output = Math.ceil(input / stride);
  const total = Math.max((output - 1) * stride + window - input, 0);
  return { output, before: Math.floor(total / 2) };
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Checks a spec and lays it out. Parameters come in layer order: dense `[W, b]`, conv2d
 * `[kernel, b]`, batchNorm `[γ, β]`; buffers are each batch norm's `[runningMean, runningVariance]`.
 * @throws InvalidModelSpecError naming the layer (`layers[i]`, `layers[i].block[j]`) and field
 * @example
 * describeSpec(mlp([4, 3, 2])).parameters.map((p) => p.name);
 * // ['dense0/weight', 'dense0/bias', 'dense1/weight', 'dense1/bias']
 */
export function describeSpec(spec: ModelSpec): SpecDescription {
  const fail = (layer: string, field: string, message: string): never => {
    throw new InvalidModelSpecError({ layer, field, message });
  };
  if (typeof spec !== 'object' || spec === null || spec.kind !== 'sequential') {
    fail(
      'spec',
      'kind',
      `kind must be 'sequential' (build specs with sequential() or mlp()), got ${JSON.stringify((spec as { kind?: unknown })?.kind)}`,
    );
  }
  if (
    !Array.isArray(spec.inputShape) ||
    spec.inputShape.length === 0 ||
    !spec.inputShape.every((d) => Number.isSafeInteger(d) && d >= 1)
  ) {
    fail(
      'spec',
      'inputShape',
      `inputShape must be a non-empty array of positive integers, got ${JSON.stringify(spec.inputShape)}`,
    );
  }
  if (spec.loss !== 'softmax-cross-entropy' && spec.loss !== 'mse') {
    fail('spec', 'loss', `loss must be 'softmax-cross-entropy' or 'mse', got ${JSON.stringify(spec.loss)}`);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    fail('spec', 'layers', 'layers must be a non-empty array');
  }
  const parameters: ParameterInfo[] = [];
  const buffers: BufferInfo[] = [];
  const layers: LayerInfo[] = [];
  const shapes: LayerShape[] = [];
  let norm: LayerInfo | undefined;

  const addLayer = (
    layer: DenseLayer | Conv2dLayer | BatchNormLayer,
    path: string,
    inputShape: readonly number[],
    outputShape: readonly number[],
    sequenceIndex: number | undefined,
  ) => {
    const index = layers.length;
    const name = `${layer.kind}${index}`;
    const indices: number[] = [];
    const param = (suffix: ParameterInfo['role'], shape: readonly number[]) => {
      indices.push(parameters.length);
      parameters.push({ name: `${name}/${suffix}`, shape, layer: index, role: suffix });
    };
    const channels = outputShape.at(-1) as number;
    if (layer.kind === 'batchNorm') {
      param('gamma', [channels]);
      param('beta', [channels]);
      buffers.push({ name: `${name}/runningMean`, shape: [channels], layer: index, role: 'runningMean' });
      buffers.push({ name: `${name}/runningVariance`, shape: [channels], layer: index, role: 'runningVariance' });
    } else {
      const inChannels = inputShape.at(-1) as number;
      param(
        'weight',
        layer.kind === 'dense' ? [inChannels, layer.units] : [...layer.kernelSize, inChannels, layer.filters],
      );
      if (layer.bias) param('bias', [channels]);
    }
    const info: LayerInfo = {
      index,
      kind: layer.kind,
      name,
      path,
      spec: layer,
      inputShape,
      outputShape,
      inputSize: size(inputShape),
      outputSize: size(outputShape),
      parameters: indices,
      sequenceIndex,
    };
    layers.push(info);
    if (layer.kind === 'batchNorm') norm ??= info;
  };

  /** Re-runs a layer's builder on a literal, so literals get the builders' checks. */
  const normalise = (layer: LayerSpec, path: string): LayerSpec => {
    try {
      switch (layer?.kind) {
        case 'dense':
          return dense(layer.units, layer);
        case 'conv2d':
          return conv2d(layer.filters, layer.kernelSize, layer);
        case 'maxPool2d':
          return maxPool2d(layer.poolSize, layer);
        case 'avgPool2d':
          return avgPool2d(layer.poolSize, layer);
        case 'activation':
          return activation(layer.activation);
        case 'batchNorm':
          return batchNorm(layer);
        case 'residual':
          if (!Array.isArray(layer.block) || layer.block.length === 0)
            fail(path, 'block', 'block must be a non-empty array of layers');
          if (!Array.isArray(layer.shortcut))
            fail(path, 'shortcut', 'shortcut must be an array of layers ([] for the identity)');
          return layer;
        case 'flatten':
        case 'globalAvgPool2d':
          return layer;
        default:
          return fail(
            path,
            'kind',
            `unknown layer kind ${JSON.stringify((layer as { kind?: unknown })?.kind)}; one of dense, conv2d, maxPool2d, avgPool2d, globalAvgPool2d, flatten, activation, residual, batchNorm`,
          );
      }
    } catch (error) {
      if (!InvalidHyperParameterError.isInstance(error)) throw error;
      return fail(path, error.parameter, `${layer.kind}: ${error.message.replace(/^[^:]*: /, '')}`);
    }
  };

  const image = (path: string, kind: string, shape: readonly number[]) => {
    if (shape.length !== 3)
      fail(path, 'input', `${kind} needs an image input [height, width, channels], got ${fmt(shape)}`);
    return shape as readonly [number, number, number];
  };

  const walk = (list: readonly LayerSpec[], prefix: string, input: readonly number[], topLevel: boolean) => {
    let shape = input;
    list.forEach((raw, i) => {
      const path = `${prefix}[${i}]`;
      const layer = normalise(raw, path);
      const inputShape = shape;
      switch (layer.kind) {
        case 'dense':
          if (shape.length !== 1) {
            fail(
              path,
              'input',
              `dense needs a vector input, got ${fmt(shape)}: add flatten() or globalAvgPool2d() before it`,
            );
          }
          shape = [layer.units];
          addLayer(layer, path, inputShape, shape, topLevel ? i : undefined);
          break;
        case 'conv2d':
        case 'maxPool2d':
        case 'avgPool2d': {
          const [h, w, c] = image(path, layer.kind, shape);
          const [kh, kw] = layer.kind === 'conv2d' ? layer.kernelSize : layer.poolSize;
          const field = layer.kind === 'conv2d' ? 'kernelSize' : 'poolSize';
          if (layer.padding === 'valid' && (kh > h || kw > w)) {
            fail(path, field, `${field} ${fmt([kh, kw])} is larger than the 'valid' input ${fmt(shape)}`);
          }
          const rows = windowOutput(h, kh, layer.strides[0], layer.padding).output;
          const cols = windowOutput(w, kw, layer.strides[1], layer.padding).output;
          shape = [rows, cols, layer.kind === 'conv2d' ? layer.filters : c];
          if (layer.kind === 'conv2d') addLayer(layer, path, inputShape, shape, topLevel ? i : undefined);
          break;
        }
        case 'globalAvgPool2d':
          shape = [image(path, layer.kind, shape)[2]];
          break;
        case 'flatten':
          shape = [size(shape)];
          break;
        case 'activation':
          break;
        case 'batchNorm':
          addLayer(layer, path, inputShape, shape, topLevel ? i : undefined);
          break;
        case 'residual': {
          const block = walk(layer.block, `${path}.block`, shape, false);
          const shortcut = walk(layer.shortcut, `${path}.shortcut`, shape, false);
          if (fmt(block) !== fmt(shortcut)) {
            fail(
              path,
              'shortcut',
              `the block ends in ${fmt(block)} but the shortcut in ${fmt(shortcut)}; use a projection shortcut (1×1 conv with the block's stride and filters)`,
            );
          }
          shape = block;
          break;
        }
      }
      shapes.push({ path, kind: layer.kind, spec: layer, inputShape, outputShape: shape });
    });
    return shape;
  };

  const outputShape = walk(spec.layers, 'layers', spec.inputShape, true);
  if (outputShape.length !== 1) {
    fail(
      `layers[${spec.layers.length - 1}]`,
      'output',
      `the network must end in a vector of logits, got ${fmt(outputShape)}: end with flatten() and dense(classes)`,
    );
  }
  return { parameters, buffers, layers, shapes, inputShape: spec.inputShape, outputShape, batchNorm: norm };
}
