/**
 * The layer graph of a tfjs-layers model, read as an abs sequence: a chain of single-input
 * layers, where a fork into two paths that meet again at an `Add` is a residual block (the
 * shortcut is the empty path (identity), else a 1×1 conv with an optional batch norm (a
 * projection), else the shorter path).
 * Works for `tf.sequential` (a chain) and `tf.model` (functional) alike.
 */
import { UnsupportedLayerError } from '../errors/unsupported-layer-error';
import type { Tensor } from '../tfjs-namespace';

/** The part of a tfjs-layers `Layer` this package uses. */
export interface LayerLike {
  readonly name: string;
  getClassName(): string;
  getConfig(): { readonly [key: string]: unknown };
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  /** The calls of the layer; each lists the layers whose outputs it took. */
  readonly inboundNodes?: readonly { readonly inboundLayers: readonly LayerLike[] }[];
}

/** The part of a tfjs-layers `LayersModel` (`tf.sequential` or `tf.model`) this package uses. */
export interface LayersModelLike {
  readonly layers: readonly LayerLike[];
  getClassName(): string;
  readonly inputs?: readonly { readonly shape: readonly (number | null)[] }[];
  readonly outputs?: readonly unknown[];
}

/** One step of the sequence: a layer, or a residual block of two paths. */
export type GraphStep =
  | { readonly kind: 'layer'; readonly layer: LayerLike }
  | {
      readonly kind: 'residual';
      readonly add: LayerLike;
      readonly block: readonly GraphStep[];
      readonly shortcut: readonly GraphStep[];
    };

export const SUPPORTED_LAYERS =
  'InputLayer, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Reshape (of the input to an image, or to a vector as a flatten), Dense, Activation, BatchNormalization, Add (two paths: a residual block with an identity or 1×1-conv shortcut) and Dropout (dropped)';

export function unsupported(model: LayersModelLike, layer: LayerLike, reason: string): never {
  throw new UnsupportedLayerError({
    layer: layer.name,
    index: model.layers.indexOf(layer),
    className: layer.getClassName(),
    reason,
    supported: SUPPORTED_LAYERS,
  });
}

/** How much a path looks like a shortcut: identity, then a 1×1 conv (± batch norm), then by length. */
function shortcutRank(path: readonly GraphStep[]): number {
  if (path.length === 0) return 0;
  const [first, second] = path;
  const conv = first?.kind === 'layer' && first.layer.getClassName() === 'Conv2D' ? first.layer.getConfig() : undefined;
  const oneByOne = conv !== undefined && [conv.kernelSize].flat().every((k) => k === 1);
  const norm =
    second === undefined || (second.kind === 'layer' && second.layer.getClassName() === 'BatchNormalization');
  return oneByOne && norm && path.length <= 2 ? 1 : 2 + path.length;
}

const SOURCE = Symbol('input');
type Node = LayerLike | typeof SOURCE;

/** The model's layers (InputLayers aside) as a sequence of steps from its input to its output. */
export function graphSteps(model: LayersModelLike): GraphStep[] {
  const members = new Set(model.layers);
  const consumers = new Map<Node, LayerLike[]>();
  const inputsOf = new Map<LayerLike, Node[]>();
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const nodes = layer.inboundNodes ?? [];
    if (nodes.length > 1) unsupported(model, layer, `it is applied ${nodes.length} times; abs layers are used once`);
    const inbound = (nodes[0]?.inboundLayers ?? []).map(
      (l): Node => (members.has(l) && l.getClassName() !== 'InputLayer' ? l : SOURCE),
    );
    inputsOf.set(layer, inbound.length === 0 ? [SOURCE] : inbound);
    for (const from of inputsOf.get(layer) as Node[]) consumers.set(from, [...(consumers.get(from) ?? []), layer]);
  }
  const isAdd = (layer: LayerLike) => layer.getClassName() === 'Add';

  /** Follows single consumers from `start` until an Add (returned as `merge`) or the output. */
  const chain = (start: Node, inBlock: boolean): { steps: GraphStep[]; end: Node; merge?: LayerLike } => {
    const steps: GraphStep[] = [];
    let current = start;
    for (;;) {
      const next = consumers.get(current) ?? [];
      if (next.length === 0) return { steps, end: current };
      if (next.length === 1) {
        const layer = next[0] as LayerLike;
        if (isAdd(layer)) return { steps, end: current, merge: layer };
        steps.push({ kind: 'layer', layer });
        current = layer;
        continue;
      }
      const [a, b] = next as [LayerLike, LayerLike];
      const forking = current === SOURCE ? a : current;
      if (inBlock) unsupported(model, forking, 'it forks inside a residual block; a block path is a chain of layers');
      if (next.length > 2) {
        unsupported(
          model,
          forking,
          `its output feeds ${next.length} layers; a fork must be the two paths of a residual block`,
        );
      }
      const paths = [a, b].map((first) =>
        isAdd(first)
          ? { steps: [], end: current, merge: first }
          : (() => {
              const rest = chain(first, true);
              return { ...rest, steps: [{ kind: 'layer', layer: first } as GraphStep, ...rest.steps] };
            })(),
      );
      const [p, q] = paths as [(typeof paths)[number], (typeof paths)[number]];
      const add = p.merge;
      if (!add || add !== q.merge) {
        unsupported(
          model,
          a,
          'the two paths from its input do not meet at one Add layer, so they are not a residual block',
        );
      }
      if ((inputsOf.get(add) ?? []).length !== 2) {
        unsupported(model, add, `it adds ${(inputsOf.get(add) ?? []).length} inputs; a residual block adds two`);
      }
      const [block, shortcut] =
        shortcutRank(q.steps) <= shortcutRank(p.steps) ? [p.steps, q.steps] : [q.steps, p.steps];
      steps.push({ kind: 'residual', add, block, shortcut });
      current = add;
    }
  };
  const { steps, merge } = chain(SOURCE, false);
  if (merge) unsupported(model, merge, 'it adds the network input to a layer output outside a residual block');
  return steps;
}

/** @deprecated The former name of `LayerLike`. */
export type DenseLayerLike = LayerLike;
/** @deprecated The former name of `LayersModelLike`. */
export type SequentialLike = LayersModelLike;
