/**
 * A brute-force `Model` for algorithm tests: you give per-example losses and gradients as
 * plain functions of (example index, parameters), and every statistic is computed from
 * them by explicit loops in float64 — the definition, not a trick. Use it to run spec
 * test vectors (linear least squares, 1-D quadratics, given per-sample gradients) without
 * a network.
 */
import { UnsupportedCapabilityError } from '../errors/unsupported-capability-error';
import type { Capability } from '../model/capability';
import { checkBatch } from '../model/check-batch';
import type { Dataset } from '../model/dataset';
import type { LayerInfo, ParameterInfo } from '../model/describe-spec';
import type { EvaluateRequest, EvaluateResult, Model } from '../model/model';
import { mlp } from '../model/model-spec';
import { createHostTensorOps, type HostTensor, hostTensor } from '../tensor/typed-array-ops';

export interface MockModelOptions {
  /** Shapes of the parameter tensors. */
  readonly shapes: readonly (readonly number[])[];
  /** Layer of each parameter tensor (default: one layer per tensor). */
  readonly layerOf?: readonly number[];
  readonly initial: readonly Float32Array[];
  /** Number of examples the batch indices range over. */
  readonly size: number;
  /** Loss and gradient of example `index`'s own loss at `parameters` (float64 views). */
  perExample(
    index: number,
    parameters: readonly Float64Array[],
  ): { loss: number; gradient: readonly ArrayLike<number>[] };
  readonly name?: string;
  /** Capabilities to offer (default: all the mock computes), e.g. to test an algorithm's fallback. */
  readonly capabilities?: readonly Capability[];
}

const MOCK_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>([
  'loss',
  'perExampleLoss',
  'gradient',
  'secondMoment',
  'gram',
  'perExampleGradientNormSquared',
  'exampleWeights',
  'evaluateAt',
]);

/**
 * @example
 * // ℓ_i(w) = ½(w − y_i)² for y = [1, 3]: mean gradient at w = 0 is −2
 * const y = [1, 3];
 * const model = createMockModel({
 *   shapes: [[1]], initial: [new Float32Array([0])], size: 2,
 *   perExample: (i, [w]) => ({ loss: 0.5 * (w[0] - y[i]) ** 2, gradient: [[w[0] - y[i]]] }),
 * });
 */
/** A placeholder spec: mock models answer from their callbacks, not from layers. */
const MOCK_SPEC = mlp([1, 1], { activation: 'identity', loss: 'mse', bias: false });

export function createMockModel(options: MockModelOptions): Model<HostTensor> {
  const ops = createHostTensorOps(options.name ?? 'mock');
  const capabilities = options.capabilities ? new Set(options.capabilities) : MOCK_CAPABILITIES;
  const requested: readonly [keyof EvaluateRequest<HostTensor>, Capability][] = [
    ['perExampleLoss', 'perExampleLoss'],
    ['secondMoment', 'secondMoment'],
    ['gram', 'gram'],
    ['perExampleGradientNormSquared', 'perExampleGradientNormSquared'],
    ['exampleWeights', 'exampleWeights'],
    ['parameters', 'evaluateAt'],
  ];
  const layerOf = options.layerOf ?? options.shapes.map((_, i) => i);
  const layerCount = Math.max(...layerOf) + 1;
  const parameterInfo: ParameterInfo[] = options.shapes.map((shape, i) => ({
    name: `p${i}`,
    shape: [...shape],
    layer: layerOf[i] as number,
    role: 'weight',
  }));
  const layers: LayerInfo[] = Array.from({ length: layerCount }, (_, l) => ({
    index: l,
    kind: 'dense',
    name: `dense${l}`,
    path: `layers[${l}]`,
    spec: { kind: 'dense', units: 1, bias: false, init: 'glorot-uniform' },
    inputShape: [0],
    outputShape: [0],
    inputSize: 0,
    outputSize: 0,
    sequenceIndex: l,
    parameters: layerOf.flatMap((layer, i) => (layer === l ? [i] : [])),
  }));
  let parameters = options.initial.map((p, i) => hostTensor(Float32Array.from(p), options.shapes[i] as number[]));
  const dataset: Dataset = {
    name: options.name ?? 'mock',
    size: options.size,
    featureShape: [1],
    features: new Float32Array(options.size),
    targets: new Float32Array(options.size),
    targetSize: 1,
  };

  async function evaluate(batch: Int32Array | readonly number[], request: EvaluateRequest<HostTensor> = {}) {
    const indices = checkBatch(batch, options.size, `${ops.backend}.evaluate`);
    for (const [field, capability] of requested) {
      if (request[field] !== undefined && request[field] !== false && !capabilities.has(capability)) {
        throw new UnsupportedCapabilityError({ capability, backend: ops.backend });
      }
    }
    const n = indices.length;
    const at = (request.parameters ?? parameters).map((p) => Float64Array.from(p.data));
    const samples = Array.from(indices, (k) => options.perExample(k, at));
    const losses = Float64Array.from(samples, (s) => s.loss);
    const mean = (f: (g: ArrayLike<number>, j: number) => number, p: number) => {
      const size = at[p]?.length as number;
      const out = new Float64Array(size);
      for (const s of samples) {
        const g = s.gradient[p] as ArrayLike<number>;
        for (let j = 0; j < size; j++) out[j] = (out[j] as number) + f(g, j) / n;
      }
      return hostTensor(Float32Array.from(out), options.shapes[p] as number[]);
    };
    const result: { -readonly [K in keyof EvaluateResult<HostTensor>]: EvaluateResult<HostTensor>[K] } = {
      batchSize: n,
      loss: losses.reduce((a, b) => a + b, 0) / n,
    };
    if (request.perExampleLoss) result.perExampleLoss = losses;
    if (request.gradient) result.gradient = at.map((_, p) => mean((g, j) => g[j] as number, p));
    if (request.secondMoment) result.secondMoment = at.map((_, p) => mean((g, j) => (g[j] as number) ** 2, p));
    const gram = layers.map((layer) => {
      const k = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (const p of layer.parameters) {
            const gi = samples[i]?.gradient[p] as ArrayLike<number>;
            const gj = samples[j]?.gradient[p] as ArrayLike<number>;
            for (let e = 0; e < gi.length; e++) s += (gi[e] as number) * (gj[e] as number);
          }
          k[i * n + j] = s;
        }
      }
      return k;
    });
    if (request.gram) result.gram = gram;
    if (request.perExampleGradientNormSquared) {
      result.perExampleGradientNormSquared = at.map((_, p) =>
        Float64Array.from(samples, (s) => {
          let sum = 0;
          for (const v of Array.from(s.gradient[p] as ArrayLike<number>)) sum += v * v;
          return sum;
        }),
      );
    }
    if (request.exampleWeights !== undefined) {
      const spec = request.exampleWeights;
      const raw = typeof spec === 'function' ? spec(gram) : spec;
      const perLayer = raw instanceof Float32Array ? layers.map(() => raw) : raw;
      result.weightedGradient = at.map((values, p) => {
        const w = perLayer[layerOf[p] as number] as Float32Array;
        const out = new Float64Array(values.length);
        samples.forEach((s, i) => {
          const g = s.gradient[p] as ArrayLike<number>;
          for (let j = 0; j < out.length; j++) out[j] = (out[j] as number) + (w[i] as number) * (g[j] as number);
        });
        return hostTensor(Float32Array.from(out), options.shapes[p] as number[]);
      });
    }
    return result;
  }

  return {
    specificationVersion: 'abs-model-v1',
    backend: ops.backend,
    ops,
    spec: MOCK_SPEC,
    dataset,
    capabilities,
    parameterInfo,
    layers,
    get parameters() {
      return parameters;
    },
    setParameters(next) {
      parameters = [...next];
    },
    readParameters: async () => parameters.map((p) => Float32Array.from(p.data)),
    writeParameters(values) {
      parameters = values.map((v, i) => hostTensor(Float32Array.from(v), options.shapes[i] as number[]));
    },
    evaluate,
    predict: async () => {
      throw new UnsupportedCapabilityError({ capability: 'predict', backend: ops.backend });
    },
    compileSibling: async () => {
      throw new UnsupportedCapabilityError({ capability: 'compileSibling', backend: ops.backend });
    },
    dispose() {},
  };
}
