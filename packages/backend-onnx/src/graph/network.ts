/**
 * The network of a sequential spec as ONNX nodes: one node per layer, each with its forward pass
 * and a backward closure over what the forward pass kept, so a layer's forward, backward and
 * geometry stay together (as in the reference backend's layers/). Shared by the training graphs
 * (parameters and buffers as inputs) and the exported inference model (initializers).
 *
 * Layout: abs images are NHWC and conv kernels HWIO; onnxruntime's Conv is NCHW/OIHW. Images
 * enter the graph NHWC and are transposed once to NCHW; `flatten`, `features` and feature
 * gradients transpose back, so every value that leaves the graph is in abs's layout. Kernels
 * are transposed to OIHW inside the graph (once per graph and kernel).
 *
 * Backward passes carry Δ̄, the scaled per-example output gradients (see training-graph.ts):
 *   dense      dx = Δ̄·Wᵀ (Gemm)
 *   conv2d     stride 1: dx = Conv(Δ̄, W flipped, channels swapped); strided:
 *              ConvTranspose(Δ̄, W) with TensorFlow's padding and the output padding that restores
 *              the input size
 *   maxPool2d  Δ̄ scattered (added) onto the input positions MaxPool's indices name; onnxruntime
 *              keeps the first maximum of a window, as the reference backend does
 *   avgPool2d  ConvTranspose of Δ̄/count with a depthwise ones kernel (count: the real inputs of
 *              each window, TensorFlow's 'same')
 *   batchNorm  training: y = γ·x̂ + β with the batch's mean and biased variance;
 *              dx = γ/s·(dy − mean(dy) − x̂·mean(dy∘x̂)); inference: the running averages
 *   residual   the two paths' input gradients added
 * Parameterised layers hand their input (x̂ for batch norm) and Δ̄ to `record`, from which
 * layer-statistics.ts builds the gradient and every statistic.
 */
import {
  type Activation,
  type BatchNormLayer,
  type Conv2dLayer,
  describeSpec,
  type LayerInfo,
  type LayerSpec,
  type ModelSpec,
  type Padding,
  type Pool2dLayer,
  windowOutput,
} from '@abs/core';
import { attr, type GraphBuilder } from './graph-builder';

/** Where a window (kernel or pool) sits on an image: ONNX attributes, TensorFlow's padding. */
export interface WindowGeometry {
  readonly input: readonly [number, number];
  readonly output: readonly [number, number];
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** ONNX order: [top, left, bottom, right]. */
  readonly pads: readonly [number, number, number, number];
}

export function windowGeometry(
  inputShape: readonly number[],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  padding: Padding,
): WindowGeometry {
  const [h, w] = inputShape as [number, number];
  const y = windowOutput(h, kernel[0], strides[0], padding);
  const x = windowOutput(w, kernel[1], strides[1], padding);
  const total = (input: number, output: number, k: number, s: number) =>
    padding === 'same' ? Math.max((output - 1) * s + k - input, 0) : 0;
  const th = total(h, y.output, kernel[0], strides[0]);
  const tw = total(w, x.output, kernel[1], strides[1]);
  return {
    input: [h, w],
    output: [y.output, x.output],
    kernel,
    strides,
    pads: [y.before, x.before, th - y.before, tw - x.before],
  };
}

/** Conv/pool attributes of a window. */
export function windowAttributes(geometry: WindowGeometry) {
  return {
    kernel_shape: attr.ints(geometry.kernel),
    strides: attr.ints(geometry.strides),
    pads: attr.ints(geometry.pads),
  };
}

/** The ConvTranspose attributes that map a window's output back onto exactly its input size. */
export function transposeAttributes(geometry: WindowGeometry) {
  const padding = [0, 1].map((axis) => {
    const span =
      (geometry.strides[axis] as number) * ((geometry.output[axis] as number) - 1) + (geometry.kernel[axis] as number);
    const pads = (geometry.pads[axis] as number) + (geometry.pads[axis + 2] as number);
    return (geometry.input[axis] as number) - span + pads;
  });
  return { ...windowAttributes(geometry), output_padding: attr.ints(padding) };
}

export type NetNode =
  | { readonly kind: 'linear'; readonly info: LayerInfo }
  | { readonly kind: 'batchNorm'; readonly info: LayerInfo; readonly buffers: readonly [number, number] }
  | { readonly kind: 'pool'; readonly spec: Pool2dLayer; readonly inputShape: readonly number[] }
  | { readonly kind: 'globalAvgPool2d'; readonly inputShape: readonly number[] }
  | { readonly kind: 'flatten'; readonly inputShape: readonly number[] }
  | { readonly kind: 'activation'; readonly activation: Activation }
  | { readonly kind: 'residual'; readonly block: readonly NetNode[]; readonly shortcut: readonly NetNode[] };

/** One node per entry of `spec.layers` (residual blocks nested), numbered as `describeSpec` does. */
export function buildNetwork(spec: ModelSpec): NetNode[] {
  const { layers, buffers, shapes } = describeSpec(spec);
  const normalised = new Map(shapes.map((s) => [s.path, s]));
  let next = 0;
  const build = (list: readonly LayerSpec[], prefix: string): NetNode[] =>
    list.map((_, i): NetNode => {
      const shape = normalised.get(`${prefix}[${i}]`) as (typeof shapes)[number];
      const layer = shape.spec;
      switch (layer.kind) {
        case 'dense':
        case 'conv2d':
          return { kind: 'linear', info: layers[next++] as LayerInfo };
        case 'batchNorm': {
          const info = layers[next++] as LayerInfo;
          const own = buffers.flatMap((b, k) => (b.layer === info.index ? [k] : []));
          return { kind: 'batchNorm', info, buffers: own as [number, number] };
        }
        case 'maxPool2d':
        case 'avgPool2d':
          return { kind: 'pool', spec: layer, inputShape: shape.inputShape };
        case 'globalAvgPool2d':
          return { kind: 'globalAvgPool2d', inputShape: shape.inputShape };
        case 'flatten':
          return { kind: 'flatten', inputShape: shape.inputShape };
        case 'activation':
          return { kind: 'activation', activation: layer.activation };
        case 'residual':
          return {
            kind: 'residual',
            block: build(layer.block, `${shape.path}.block`),
            shortcut: build(layer.shortcut, `${shape.path}.shortcut`),
          };
      }
    });
  return build(spec.layers, 'layers');
}

export interface NetworkContext {
  readonly g: GraphBuilder;
  /** The graph value of parameter p (an input or an initializer). */
  readonly parameter: (p: number) => string;
  /** The graph value of buffer b (inference batch norm only). */
  readonly buffer: (b: number) => string;
  /** `'train'`: batch statistics in batch norm; `'infer'`: running averages. */
  readonly mode: 'train' | 'infer';
  /** Keep what the backward pass needs (max-pool indices). */
  readonly backward: boolean;
  /** Receives a training batch norm's batch mean and variance ([C]) for its two buffers. */
  readonly batchStatistics?: (buffers: readonly [number, number], mean: string, variance: string) => void;
}

/** A parameterised layer's input (x̂ for batch norm) and Δ̄ at its output, in the graph's layout. */
export type Recorder = (info: LayerInfo, input: string, delta: string) => void;

export type BackwardStep = (dy: string, wantInput: boolean, record: Recorder) => string | undefined;

export interface ForwardStep {
  readonly y: string;
  readonly backward: BackwardStep;
}

const ACTIVATION_OPS: Record<Exclude<Activation, 'identity'>, string> = {
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
};

/** NHWC [n, h·w·c] or [n, h, w, c] → NCHW (images) or the value itself (vectors). */
export function toInternal(g: GraphBuilder, x: string, shape: readonly number[]): string {
  if (shape.length !== 3) return x;
  return g.node('Transpose', [g.node('Reshape', [x, g.int64s([-1, ...shape])])], { perm: attr.ints([0, 3, 1, 2]) });
}

/** The graph's internal layout → NHWC flattened to [n, size] (vectors unchanged). */
export function toFlatNhwc(g: GraphBuilder, x: string, shape: readonly number[], name?: string): string {
  if (shape.length !== 3) return name ? g.node('Identity', [x], {}, name) : x;
  const nhwc = g.node('Transpose', [x], { perm: attr.ints([0, 2, 3, 1]) });
  return g.node('Reshape', [nhwc, g.int64s([-1, shape.reduce((a, b) => a * b, 1)])], {}, name);
}

/** ∂/∂z given ∂/∂a for a = f(z), written in terms of a. */
function activationDerivative(g: GraphBuilder, kind: Activation, upstream: string, a: string): string {
  switch (kind) {
    case 'identity':
      return upstream;
    case 'relu':
      return g.node('Where', [g.node('Greater', [a, g.scalar(0)]), upstream, g.scalar(0)]);
    case 'tanh':
      return g.node('Mul', [upstream, g.node('Sub', [g.scalar(1), g.node('Mul', [a, a])])]);
    case 'sigmoid':
      return g.node('Mul', [upstream, g.node('Mul', [a, g.node('Sub', [g.scalar(1), a])])]);
  }
}

export function convGeometry(info: LayerInfo): WindowGeometry {
  const spec = info.spec as Conv2dLayer;
  return windowGeometry(info.inputShape, spec.kernelSize, spec.strides, spec.padding);
}

function linearNode(ctx: NetworkContext, info: LayerInfo, x: string): ForwardStep {
  const { g } = ctx;
  const [pw, pb] = info.parameters as [number, number | undefined];
  const w = ctx.parameter(pw);
  const bias = pb === undefined ? [] : [ctx.parameter(pb)];
  if (info.kind === 'dense') {
    const y = bias.length ? g.node('Gemm', [x, w, ...bias]) : g.node('MatMul', [x, w]);
    return {
      y,
      backward(dy, wantInput, record) {
        record(info, x, dy);
        return wantInput ? g.node('Gemm', [dy, w], { transB: attr.int(1) }) : undefined;
      },
    };
  }
  const geometry = convGeometry(info);
  // HWIO → OIHW, once per graph: both Conv and ConvTranspose read this layout.
  const kernel = g.node('Transpose', [w], { perm: attr.ints([3, 2, 0, 1]) });
  const y = g.node('Conv', [x, kernel, ...bias], windowAttributes(geometry));
  return {
    y,
    backward(dy, wantInput, record) {
      record(info, x, dy);
      if (!wantInput) return undefined;
      if (geometry.strides[0] > 1 || geometry.strides[1] > 1) {
        return g.node('ConvTranspose', [dy, kernel], transposeAttributes(geometry));
      }
      return inputGradientConv(g, geometry, w, dy);
    },
  };
}

/**
 * The input gradient of a stride-1 convolution as a plain convolution of Δ̄ with the kernel
 * flipped in space and its channels swapped ([C, F, kh, kw]), padded by k − 1 − (padding
 * before) in front: onnxruntime runs this about twice as fast as ConvTranspose.
 */
function inputGradientConv(g: GraphBuilder, geometry: WindowGeometry, hwio: string, dy: string): string {
  const [kh, kw] = geometry.kernel;
  const swapped = g.node('Transpose', [hwio], { perm: attr.ints([2, 3, 0, 1]) });
  const flipped = g.node('Slice', [
    swapped,
    g.int64s([-1, -1]),
    g.int64s([-(kh + 1), -(kw + 1)]),
    g.int64s([2, 3]),
    g.int64s([-1, -1]),
  ]);
  const before = [kh - 1 - geometry.pads[0], kw - 1 - geometry.pads[1]] as const;
  const after = [0, 1].map(
    (axis) =>
      (geometry.input[axis] as number) -
      (geometry.output[axis] as number) +
      (geometry.kernel[axis] as number) -
      1 -
      (before[axis] as number),
  );
  return g.node('Conv', [dy, flipped], {
    kernel_shape: attr.ints(geometry.kernel),
    pads: attr.ints([...before, ...after]),
  });
}

function batchNormNode(ctx: NetworkContext, node: Extract<NetNode, { kind: 'batchNorm' }>, x: string): ForwardStep {
  const { g } = ctx;
  const { info } = node;
  const spec = info.spec as BatchNormLayer;
  const channels = info.outputShape.at(-1) as number;
  const image = info.inputShape.length === 3;
  const axes = image ? [0, 2, 3] : [0];
  const perChannel = (v: string) => (image ? g.node('Reshape', [v, g.int64s([1, channels, 1, 1])]) : v);
  const [pg, pb] = info.parameters as [number, number];
  const gamma = perChannel(ctx.parameter(pg));
  const beta = perChannel(ctx.parameter(pb));
  const eps = g.scalar(spec.epsilon);
  if (ctx.mode === 'infer') {
    const mean = perChannel(ctx.buffer(node.buffers[0]));
    const scale = g.node('Div', [
      gamma,
      g.node('Sqrt', [g.node('Add', [perChannel(ctx.buffer(node.buffers[1])), eps])]),
    ]);
    const y = g.node('Add', [g.node('Mul', [g.node('Sub', [x, mean]), scale]), beta]);
    return { y, backward: () => undefined };
  }
  const keep = { axes: attr.ints(axes), keepdims: attr.int(1) };
  const mean = g.node('ReduceMean', [x], keep);
  const centred = g.node('Sub', [x, mean]);
  const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred])], keep);
  const std = g.node('Sqrt', [g.node('Add', [variance, eps])]);
  const xhat = g.node('Div', [centred, std]);
  const y = g.node('Add', [g.node('Mul', [xhat, gamma]), beta]);
  if (ctx.batchStatistics) {
    const flat = (v: string) => g.node('Reshape', [v, g.int64s([channels])]);
    ctx.batchStatistics(node.buffers, flat(mean), flat(variance));
  }
  return {
    y,
    backward(dy, wantInput, record) {
      record(info, xhat, dy);
      if (!wantInput) return undefined;
      const meanDy = g.node('ReduceMean', [dy], keep);
      const meanDyXhat = g.node('ReduceMean', [g.node('Mul', [dy, xhat])], keep);
      const inner = g.node('Sub', [g.node('Sub', [dy, meanDy]), g.node('Mul', [xhat, meanDyXhat])]);
      return g.node('Mul', [inner, g.node('Div', [gamma, std])]);
    },
  };
}

function poolNode(ctx: NetworkContext, node: Extract<NetNode, { kind: 'pool' }>, x: string): ForwardStep {
  const { g } = ctx;
  const { spec, inputShape } = node;
  const geometry = windowGeometry(inputShape, spec.poolSize, spec.strides, spec.padding);
  const attributes = windowAttributes(geometry);
  if (spec.kind === 'maxPool2d') {
    if (!ctx.backward) return { y: g.node('MaxPool', [x], attributes), backward: () => undefined };
    const [y, indices] = g.multiNode('MaxPool', [x], attributes, 2) as [string, string];
    return {
      y,
      backward(dy, wantInput) {
        if (!wantInput) return undefined;
        // Indices are flat positions in the whole NCHW input (batch and channel included).
        const flat = g.int64s([-1]);
        const zeros = g.node('Expand', [g.scalar(0), g.node('Shape', [g.node('Reshape', [x, flat])])]);
        const routed = g.node(
          'ScatterElements',
          [zeros, g.node('Reshape', [indices, flat]), g.node('Reshape', [dy, flat])],
          { axis: attr.int(0), reduction: attr.string('add') },
        );
        return g.node('Reshape', [routed, g.node('Shape', [x])]);
      },
    };
  }
  const y = g.node('AveragePool', [x], { ...attributes, count_include_pad: attr.int(0) });
  return {
    y,
    backward(dy, wantInput) {
      if (!wantInput) return undefined;
      const [rows, cols] = geometry.output;
      const [top, left] = geometry.pads;
      const inverse = new Float32Array(rows * cols);
      for (let oy = 0; oy < rows; oy++) {
        for (let ox = 0; ox < cols; ox++) {
          const span = (o: number, axis: 0 | 1, before: number) => {
            const from = o * (geometry.strides[axis] as number) - before;
            const to = from + (geometry.kernel[axis] as number);
            return Math.min(to, geometry.input[axis] as number) - Math.max(from, 0);
          };
          inverse[oy * cols + ox] = 1 / (span(oy, 0, top) * span(ox, 1, left));
        }
      }
      const channels = inputShape[2] as number;
      const ones = new Float32Array(channels * geometry.kernel[0] * geometry.kernel[1]).fill(1);
      const kernel = g.floatConstant(ones, [channels, 1, ...geometry.kernel]);
      const shares = g.node('Mul', [dy, g.floatConstant(inverse, [1, 1, rows, cols])]);
      return g.node('ConvTranspose', [shares, kernel], { ...transposeAttributes(geometry), group: attr.int(channels) });
    },
  };
}

function forwardNode(ctx: NetworkContext, node: NetNode, x: string): ForwardStep {
  const { g } = ctx;
  switch (node.kind) {
    case 'linear':
      return linearNode(ctx, node.info, x);
    case 'batchNorm':
      return batchNormNode(ctx, node, x);
    case 'pool':
      return poolNode(ctx, node, x);
    case 'globalAvgPool2d': {
      const [h, w, c] = node.inputShape as [number, number, number];
      const y = g.node('ReduceMean', [x], { axes: attr.ints([2, 3]), keepdims: attr.int(0) });
      return {
        y,
        backward(dy, wantInput) {
          if (!wantInput) return undefined;
          const share = g.floatConstant(new Float32Array(h * w).fill(1 / (h * w)), [1, 1, h, w]);
          return g.node('Mul', [g.node('Reshape', [dy, g.int64s([-1, c, 1, 1])]), share]);
        },
      };
    }
    case 'flatten': {
      const shape = node.inputShape;
      if (shape.length !== 3) return { y: x, backward: (dy) => dy };
      return {
        y: toFlatNhwc(g, x, shape),
        backward: (dy, wantInput) => (wantInput ? toInternal(g, dy, shape) : undefined),
      };
    }
    case 'activation': {
      if (node.activation === 'identity') return { y: x, backward: (dy) => dy };
      const y = g.node(ACTIVATION_OPS[node.activation], [x]);
      return {
        y,
        backward: (dy, wantInput) => (wantInput ? activationDerivative(g, node.activation, dy, y) : undefined),
      };
    }
    case 'residual': {
      const block = forwardChain(ctx, node.block, x);
      const shortcut = forwardChain(ctx, node.shortcut, x);
      return {
        y: g.node('Add', [block.y, shortcut.y]),
        backward(dy, wantInput, record) {
          // Both paths reach parameters (or the input), so both always run backward.
          const a = block.backward(dy, true, record) as string;
          const b = shortcut.backward(dy, true, record) as string;
          return wantInput ? g.node('Add', [a, b]) : undefined;
        },
      };
    }
  }
}

/** Runs `nodes` in order from `x`; the returned backward runs them in reverse (an empty chain is the identity). */
export function forwardChain(ctx: NetworkContext, nodes: readonly NetNode[], x: string): ForwardStep {
  const steps: ForwardStep[] = [];
  let y = x;
  for (const node of nodes) {
    const step = forwardNode(ctx, node, y);
    steps.push(step);
    y = step.y;
  }
  return {
    y,
    backward(dy, wantInput, record) {
      let gradient: string | undefined = dy;
      for (let k = steps.length - 1; k >= 0; k--) {
        gradient = (steps[k] as ForwardStep).backward(gradient as string, wantInput || k > 0, record);
      }
      return gradient;
    },
  };
}
