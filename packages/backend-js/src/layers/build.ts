/** Turns a spec into nodes, walking it in the order `describeSpec` numbers layers and buffers. */
import { describeSpec, type LayerSpec, type ModelSpec } from '@abs/core';
import { activationNode } from './activation-layer';
import { batchNormNode } from './batch-norm';
import { conv2dNode } from './conv2d';
import { denseNode } from './dense';
import { flattenNode } from './flatten';
import { globalAvgPool2dNode } from './global-avg-pool2d';
import type { JsNode } from './node';
import { pool2dNode } from './pool2d';
import { residualNode } from './residual';

export function buildNodes(spec: ModelSpec): JsNode[] {
  const { layers, buffers, shapes } = describeSpec(spec);
  const normalised = new Map(shapes.map((s) => [s.path, s.spec]));
  let next = 0;
  const build = (list: readonly LayerSpec[], inputShape: readonly number[], prefix: string): JsNode[] => {
    const nodes: JsNode[] = [];
    let shape = inputShape;
    for (const [i, raw] of list.entries()) {
      const path = `${prefix}[${i}]`;
      const layer = normalised.get(path) ?? raw;
      let node: JsNode;
      switch (layer.kind) {
        case 'dense':
          node = denseNode(layers[next++] as (typeof layers)[number]);
          break;
        case 'conv2d':
          node = conv2dNode(layers[next++] as (typeof layers)[number]);
          break;
        case 'batchNorm': {
          const info = layers[next++] as (typeof layers)[number];
          const own = buffers.flatMap((b, k) => (b.layer === info.index ? [k] : []));
          node = batchNormNode(info, own as [number, number]);
          break;
        }
        case 'maxPool2d':
        case 'avgPool2d':
          node = pool2dNode(layer, shape);
          break;
        case 'globalAvgPool2d':
          node = globalAvgPool2dNode(shape);
          break;
        case 'flatten':
          node = flattenNode(shape);
          break;
        case 'activation':
          node = activationNode(layer.activation, shape);
          break;
        case 'residual':
          node = residualNode(
            build(layer.block, shape, `${path}.block`),
            build(layer.shortcut, shape, `${path}.shortcut`),
            shape,
          );
          break;
      }
      nodes.push(node);
      shape = node.outputShape;
    }
    return nodes;
  };
  return build(spec.layers, spec.inputShape, 'layers');
}
