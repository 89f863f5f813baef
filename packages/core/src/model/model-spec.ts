/**
 * Model specifications are plain data, so one spec compiles on every backend.
 * `mlp([784, 128, 10])` is a stack of dense layers Z = A·W + b with `W: in × out`.
 */
import { checker } from '../config/validate';

export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'identity';
export type Loss = 'softmax-cross-entropy' | 'mse';

/**
 * Weight initialisation. Biases start at `bias` (default 0).
 * - `'he-normal'`: N(0, 2/fanIn) — the default for relu.
 * - `'glorot-uniform'`: U(±√(6/(fanIn+fanOut))) — the default for tanh, sigmoid, identity.
 * - `{ kind: 'normal' | 'truncated-normal', std }`: fixed std (truncated at 2σ, as in TensorFlow).
 */
export type Initializer =
  | 'he-normal'
  | 'glorot-uniform'
  | { readonly kind: 'normal' | 'truncated-normal'; readonly std: number; readonly bias?: number };

export interface MlpSpec {
  readonly kind: 'mlp';
  /** Widths from input to output, e.g. `[784, 128, 10]`: two dense layers. */
  readonly layerSizes: readonly number[];
  /** Hidden activation; the output layer is linear (the loss applies softmax itself). */
  readonly activation: Activation;
  /**
   * Per example: softmax cross-entropy −log softmax(z)_y, or
   * `mse` = ½‖z − t‖² (the half sum of squares, whose gradient is z − t).
   */
  readonly loss: Loss;
  readonly bias: boolean;
  readonly init: Initializer;
}

export type ModelSpec = MlpSpec;

export interface MlpOptions {
  readonly activation?: Activation;
  readonly loss?: Loss;
  readonly bias?: boolean;
  readonly init?: Initializer;
}

/**
 * A multi-layer perceptron spec.
 * @param layerSizes widths from input to output (at least two entries)
 * @param options activation (default `'relu'`), loss (default `'softmax-cross-entropy'`),
 *   bias (default `true`), init (default by activation)
 * @example
 * mlp([784, 128, 10]);
 * // { kind: 'mlp', layerSizes: [784, 128, 10], activation: 'relu',
 * //   loss: 'softmax-cross-entropy', bias: true, init: 'he-normal' }
 */
export function mlp(layerSizes: readonly number[], options: MlpOptions = {}): MlpSpec {
  const c = checker('mlp');
  c.check(
    Array.isArray(layerSizes) && layerSizes.length >= 2,
    'layerSizes',
    layerSizes,
    'an array of at least 2 widths',
  );
  layerSizes.forEach((w, i) => c.integer(`layerSizes[${i}]`, w, { gte: 1 }));
  const activation = c.oneOf('activation', options.activation ?? 'relu', ['relu', 'tanh', 'sigmoid', 'identity']);
  const loss = c.oneOf('loss', options.loss ?? 'softmax-cross-entropy', ['softmax-cross-entropy', 'mse']);
  const bias = c.boolean('bias', options.bias ?? true);
  const init = options.init ?? (activation === 'relu' ? 'he-normal' : 'glorot-uniform');
  if (typeof init === 'string') {
    c.oneOf('init', init, ['he-normal', 'glorot-uniform']);
  } else {
    c.oneOf('init.kind', init.kind, ['normal', 'truncated-normal']);
    c.number('init.std', init.std, { gt: 0 });
    if (init.bias !== undefined) c.number('init.bias', init.bias);
  }
  return { kind: 'mlp', layerSizes: [...layerSizes], activation, loss, bias, init };
}

/** One parameter tensor of a compiled model. */
export interface ParameterInfo {
  /** e.g. `'dense0/weight'`, `'dense0/bias'` */
  readonly name: string;
  readonly shape: readonly number[];
  /** Index of the layer it belongs to. */
  readonly layer: number;
  readonly role: 'weight' | 'bias';
}

/** One parameterised layer; `parameters` index into the model's parameter list. */
export interface LayerInfo {
  readonly index: number;
  readonly kind: 'dense';
  readonly inputSize: number;
  readonly outputSize: number;
  readonly parameters: readonly number[];
}

/** Parameter and layer layout of a spec: `[W0, b0, W1, b1, …]`. */
export function describeSpec(spec: ModelSpec): { parameters: ParameterInfo[]; layers: LayerInfo[] } {
  const parameters: ParameterInfo[] = [];
  const layers: LayerInfo[] = [];
  for (let l = 0; l + 1 < spec.layerSizes.length; l++) {
    const inputSize = spec.layerSizes[l] as number;
    const outputSize = spec.layerSizes[l + 1] as number;
    const indices = [parameters.length];
    parameters.push({ name: `dense${l}/weight`, shape: [inputSize, outputSize], layer: l, role: 'weight' });
    if (spec.bias) {
      indices.push(parameters.length);
      parameters.push({ name: `dense${l}/bias`, shape: [outputSize], layer: l, role: 'bias' });
    }
    layers.push({ index: l, kind: 'dense', inputSize, outputSize, parameters: indices });
  }
  return { parameters, layers };
}
