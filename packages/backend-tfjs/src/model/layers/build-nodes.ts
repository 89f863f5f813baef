/**
 * Turns a spec into device nodes, walking it in the order `describeSpec` numbers layers and
 * buffers. A dense or conv2d layer followed by an activation in the same list becomes one node.
 */
import { describeSpec, type LayerInfo, type LayerSpec, type ModelSpec } from '@abs/core';
import { batchNormNode } from './batch-norm-node';
import { biasesBeforeNorm } from './biases-before-norm';
import { linearNode } from './linear-node';
import { activationNode, type DeviceNode, type NodeContext } from './node';
import { flattenNode, globalAvgPool2dNode, pool2dNode, residualNode } from './shape-nodes';

export interface DeviceNetwork {
  /** The top-level nodes, in order. */
  readonly nodes: readonly DeviceNode[];
  /** For each entry of the spec's top-level `layers`, the node that starts with it. */
  readonly nodeOf: readonly number[];
  /** Biases that feed a batch norm directly, whose gradient is exactly zero (`biasesBeforeNorm`). */
  readonly biasesBeforeNorm: ReadonlySet<number>;
}

export function buildNodes(context: NodeContext, spec: ModelSpec): DeviceNetwork {
  const { tf } = context;
  const { layers, buffers, shapes } = describeSpec(spec);
  const normalised = new Map(shapes.map((s) => [s.path, s.spec]));
  let next = 0;
  const nodeOf: number[] = [];
  const build = (list: readonly LayerSpec[], prefix: string, top: boolean): DeviceNode[] => {
    const nodes: DeviceNode[] = [];
    for (let i = 0; i < list.length; i++) {
      const layer = normalised.get(`${prefix}[${i}]`) ?? (list[i] as LayerSpec);
      if (top) nodeOf[i] = nodes.length;
      switch (layer.kind) {
        case 'dense':
        case 'conv2d': {
          const info = layers[next++] as LayerInfo;
          const following = normalised.get(`${prefix}[${i + 1}]`);
          if (following?.kind === 'activation') {
            nodes.push(linearNode(context, info, following.activation));
            i += 1;
            if (top) nodeOf[i] = nodes.length - 1;
          } else {
            nodes.push(linearNode(context, info, undefined));
          }
          break;
        }
        case 'batchNorm': {
          const info = layers[next++] as LayerInfo;
          const own = buffers.flatMap((b, k) => (b.layer === info.index ? [k] : []));
          nodes.push(batchNormNode(tf, info, own as [number, number]));
          break;
        }
        case 'maxPool2d':
        case 'avgPool2d':
          nodes.push(pool2dNode(tf, layer));
          break;
        case 'globalAvgPool2d':
          nodes.push(globalAvgPool2dNode(tf));
          break;
        case 'flatten':
          nodes.push(flattenNode(tf));
          break;
        case 'activation':
          nodes.push(activationNode(tf, layer.activation));
          break;
        case 'residual': {
          const path = `${prefix}[${i}]`;
          nodes.push(
            residualNode(
              tf,
              build(layer.block, `${path}.block`, false),
              build(layer.shortcut, `${path}.shortcut`, false),
            ),
          );
          break;
        }
      }
    }
    return nodes;
  };
  return { nodes: build(spec.layers, 'layers', true), nodeOf, biasesBeforeNorm: biasesBeforeNorm(spec) };
}
