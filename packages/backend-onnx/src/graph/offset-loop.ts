/**
 * A conv layer's products over its kernel offsets as one ONNX `Loop`, one offset per iteration:
 * only that offset's patches (n·P·C values) and what is computed from them are alive at a time,
 * where kh·kw separate products let onnxruntime run every offset's product before their
 * reductions and hold them all (for the per-example statistics every example's whole kernel
 * gradient, n·K·F: its execution order, not the graph, decides; profiled). The per-example
 * statistics take it (conv-examples.ts); the plain gradient keeps one product per offset in the
 * graph (looping measured 1.08–1.15× the plain step). The body reads the enclosing graph's
 * values (the padded input, Δ̄, constants) from the outer scope.
 */
import type { LayerInfo } from '@abs/core';
import { DataType, type Dimension } from '../proto/onnx-proto';
import { offsetSlice, paddedNhwc } from './conv-patches';
import { attr, type GraphBuilder } from './graph-builder';
import { convGeometry } from './network';

/** A value of the body with its dims (per iteration). */
export interface LoopValue {
  readonly value: string;
  readonly dims: readonly Dimension[];
}

export interface OffsetBody {
  /** Values stacked over the offsets by the loop: [kh·kw, ...dims]. */
  readonly scans: readonly LoopValue[];
  /** Per-iteration terms of the sums, in the order of `initial`. */
  readonly sums: readonly string[];
}

/**
 * Runs `body` for each kernel offset (ky·kw + kx order) on that offset's patches, [n·P, C]
 * (`offsetSlice` of the padded NHWC input, flattened), and returns the stacked `scans` and the
 * `sums`, each started from its `initial` value (of the enclosing graph).
 */
export function overOffsets(
  g: GraphBuilder,
  info: LayerInfo,
  a: string,
  initial: readonly LoopValue[],
  body: (b: GraphBuilder, patches: string) => OffsetBody,
): { scans: string[]; sums: string[] } {
  const [kh, kw] = convGeometry(info).kernel;
  const channels = info.inputShape[2] as number;
  const nhwc = paddedNhwc(g, info, a);
  const starts: number[] = [];
  for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) starts.push(ky, kx);
  const table = g.node('Reshape', [g.int64s(starts), g.int64s([kh * kw, 2])]);

  const b = g.subgraph();
  const offset = b.input(b.unique('offset'), [], DataType.INT64);
  const condition = b.input(b.unique('condition'), [], DataType.BOOL);
  const carried = initial.map((v) => b.input(b.unique('carried'), v.dims));
  const at = b.node('Gather', [table, offset], { axis: attr.int(0) });
  const patches = b.node('Reshape', [offsetSlice(b, info, nhwc, at), b.int64s([-1, channels])]);
  const result = body(b, patches);
  b.output(condition, b.unique('condition_out'), [], DataType.BOOL);
  result.sums.forEach((term, k) => {
    const next = b.node('Add', [carried[k] as string, term], {}, b.unique('sum'));
    b.output(next, next, (initial[k] as LoopValue).dims);
  });
  for (const scan of result.scans) b.output(scan.value, b.unique('scan'), scan.dims);

  const trips = g.node('Reshape', [g.int64s([kh * kw]), g.int64s([])]);
  const outputs = g.multiNode(
    'Loop',
    [trips, '', ...initial.map((v) => v.value)],
    { body: attr.graph(b.buildGraph('offsets')) },
    initial.length + result.scans.length,
  );
  return { sums: outputs.slice(0, initial.length), scans: outputs.slice(initial.length) };
}
