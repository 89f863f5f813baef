/**
 * A spec's name for reports (`specSummary`), which reads a dense stack the way `mlp` writes it:
 * widths, one hidden activation, one bias flag. Any other layer (or mixed activations) is an
 * `UnsupportedCapabilityError` naming the layer.
 */
import { UnsupportedCapabilityError } from '../errors/unsupported-capability-error';
import { describeSpec } from './describe-spec';
import type { Activation, LayerSpec, Loss, ModelSpec } from './model-spec';

export interface DenseStack {
  /** Widths from input to output, as `mlp` takes them. */
  readonly layerSizes: readonly number[];
  /** The activation between dense layers (`'identity'` when there is only one layer). */
  readonly activation: Activation;
  readonly bias: boolean;
  readonly loss: Loss;
  /** The spec it was read from (for `describeSpec`, `initializeParameters`). */
  readonly source: ModelSpec;
}

/**
 * @throws UnsupportedCapabilityError when the spec is not `dense (activation dense)*` with one
 *   activation and one bias setting throughout
 * @example
 * denseStack(mlp([784, 128, 10]), 'onnx-cpu'); // { layerSizes: [784, 128, 10], activation: 'relu', bias: true, … }
 */
export function denseStack(spec: ModelSpec, backend: string): DenseStack {
  const { inputShape } = describeSpec(spec);
  const refuse = (path: string, what: string): never => {
    throw new UnsupportedCapabilityError({
      capability: what,
      backend,
      detail: `${path}: this backend compiles dense networks (mlp: dense layers with one activation between them) only`,
    });
  };
  const layerSizes = [inputShape[0] as number];
  let activation: Activation | undefined;
  let bias: boolean | undefined;
  spec.layers.forEach((layer, i) => {
    const path = `layers[${i}]`;
    const expectDense = i % 2 === 0;
    if (expectDense && layer.kind === 'dense') {
      if (bias !== undefined && layer.bias !== bias) refuse(path, 'dense layers with and without bias');
      bias = layer.bias;
      layerSizes.push(layer.units);
    } else if (!expectDense && layer.kind === 'activation' && i + 1 < spec.layers.length) {
      if (activation !== undefined && layer.activation !== activation) refuse(path, 'mixed activations');
      activation = layer.activation;
    } else {
      refuse(path, `layer '${layer.kind}'${expectDense ? '' : ' between dense layers'}`);
    }
  });
  if (inputShape.length !== 1) refuse('spec.inputShape', `input shape [${inputShape.join(', ')}]`);
  return { layerSizes, activation: activation ?? 'identity', bias: bias ?? true, loss: spec.loss, source: spec };
}

/**
 * A short name for a spec, for reports: `mlp[784,512,10] relu` for a dense stack, else the
 * layers in order, e.g. `[28,28,1] conv5x5x32 relu maxPool2x2 … dense10`.
 */
export function specSummary(spec: ModelSpec): string {
  try {
    const stack = denseStack(spec, 'summary');
    return `mlp[${stack.layerSizes.join(',')}] ${stack.activation}`;
  } catch {
    const layer = (l: LayerSpec): string => {
      switch (l.kind) {
        case 'dense':
          return `dense${l.units}`;
        case 'conv2d':
          return `conv${l.kernelSize.join('x')}x${l.filters}${l.strides[0] > 1 ? `/${l.strides[0]}` : ''}`;
        case 'maxPool2d':
        case 'avgPool2d':
          return `${l.kind.slice(0, -2)}${l.poolSize.join('x')}`;
        case 'activation':
          return l.activation;
        case 'residual':
          return `res(${l.block.map(layer).join(' ')}${l.shortcut.length ? ` | ${l.shortcut.map(layer).join(' ')}` : ''})`;
        default:
          return l.kind;
      }
    };
    return `[${spec.inputShape.join(',')}] ${spec.layers.map(layer).join(' ')}`;
  }
}
