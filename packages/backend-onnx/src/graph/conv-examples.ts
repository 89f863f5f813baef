/**
 * Sums over every example's kernel gradient G_i = Δ̄_i [F, P] · A_i [P, K] of a conv layer,
 * computed in groups of kernel offsets and reduced group by group, so that one group,
 * [n, F, K_g], is alive at a time:
 *   - with 8 or more input channels and a kernel of several offsets, one group per offset
 *     (K_g = C), in an ONNX `Loop` over the offsets (offset-loop.ts);
 *   - otherwise one group of all offsets (K_g = K: the patches transposed example-major), where
 *     one offset's product would be a matrix-vector product; n·F·K is then small (K < 8·kh·kw).
 * From each group: Σ_i G_i (1ᵀ·G, the gradient), Σ_i G_i∘G_i (exact moments), ‖G_i‖² (batched row
 * dots) and ⟨G_i, G_j⟩ (Gram), each only when asked.
 */
import type { LayerInfo } from '@abs/core';
import { attr, type GraphBuilder } from './graph-builder';
import { BATCH } from './names';
import { convGeometry } from './network';
import { type LoopValue, overOffsets } from './offset-loop';
import { rowSquares } from './reductions';

export interface ExampleWants {
  readonly moments?: boolean;
  readonly norms?: boolean;
  readonly gram?: boolean;
}

export interface ExampleSums {
  /** Σ_i G_i as [groups, F, K_g]. */
  readonly gradient: string;
  /** Σ_i G_i∘G_i as [groups, F, K_g]. */
  readonly moment?: string;
  /** ‖G_i‖², [n]. */
  readonly norms?: string;
  /** ⟨G_i, G_j⟩, [n, n]. */
  readonly gram?: string;
}

/** The reductions of one group [n, F, K_g]: sums as [1, F·K_g], norms [n], Gram [n, n]. */
function groupSums(b: GraphBuilder, examples: string, ones: string, wants: ExampleWants) {
  const flat = b.node('Reshape', [examples, b.int64s([0, -1])]);
  return {
    gradient: b.node('MatMul', [ones, flat]),
    ...(wants.moments ? { moment: b.node('MatMul', [ones, b.node('Mul', [flat, flat])]) } : {}),
    ...(wants.norms ? { norms: rowSquares(b, flat) } : {}),
    ...(wants.gram ? { gram: b.node('Gemm', [flat, flat], { transB: attr.int(1) }) } : {}),
  };
}

export function convExampleSums(
  g: GraphBuilder,
  info: LayerInfo,
  context: {
    /** The layer's input, NCHW. */
    readonly a: string;
    /** Δ̄ as [n, F, P]. */
    readonly deltas: string;
    /** The [1, batch] ones input. */
    readonly ones: string;
    /** Every offset's patches, [kh·kw, n·P, C] (used by the one-group form only). */
    readonly patches: () => string;
    readonly wants: ExampleWants;
  },
): ExampleSums {
  const { deltas, ones, wants } = context;
  const [kh, kw] = convGeometry(info).kernel;
  const c = info.inputShape[2] as number;
  const f = info.outputShape[2] as number;
  const positions = info.outputSize / f;
  const offsets = kh * kw;
  if (offsets === 1 || c < 8) {
    const patches =
      offsets === 1 ? context.patches() : g.node('Transpose', [context.patches()], { perm: attr.ints([1, 0, 2]) });
    const examples = g.node('MatMul', [deltas, g.node('Reshape', [patches, g.int64s([-1, positions, offsets * c])])]);
    const sums = groupSums(g, examples, ones, wants);
    const shape = g.int64s([1, f, offsets * c]);
    return {
      gradient: g.node('Reshape', [sums.gradient, shape]),
      ...(sums.moment ? { moment: g.node('Reshape', [sums.moment, shape]) } : {}),
      ...(sums.norms ? { norms: sums.norms } : {}),
      ...(sums.gram ? { gram: sums.gram } : {}),
    };
  }
  // Sums over the offsets start at zero: [n] for the norms, [n, n] for the Gram.
  const n = g.node('Shape', [deltas], { start: attr.int(0), end: attr.int(1) });
  const initial: LoopValue[] = [];
  if (wants.norms) initial.push({ value: g.node('ConstantOfShape', [n]), dims: [BATCH] });
  if (wants.gram) {
    const square = g.node('Concat', [n, n], { axis: attr.int(0) });
    initial.push({ value: g.node('ConstantOfShape', [square]), dims: [BATCH, BATCH] });
  }
  const row = [1, f * c];
  const loop = overOffsets(g, info, context.a, initial, (b, patches) => {
    const examples = b.node('MatMul', [deltas, b.node('Reshape', [patches, b.int64s([-1, positions, c])])]);
    const sums = groupSums(b, examples, ones, wants);
    return {
      scans: [{ value: sums.gradient, dims: row }, ...(sums.moment ? [{ value: sums.moment, dims: row }] : [])],
      sums: [...(sums.norms ? [sums.norms] : []), ...(sums.gram ? [sums.gram] : [])],
    };
  });
  const shape = g.int64s([offsets, f, c]);
  const [gradient, moment] = loop.scans.map((scan) => g.node('Reshape', [scan, shape]));
  const [first, second] = loop.sums;
  return {
    gradient: gradient as string,
    ...(moment ? { moment } : {}),
    ...(wants.norms ? { norms: first as string } : {}),
    ...(wants.gram ? { gram: (wants.norms ? second : first) as string } : {}),
  };
}
