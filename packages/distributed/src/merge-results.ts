/**
 * Merges each rank's `evaluate` answer on its slice into the answer for the global batch:
 * means (loss, gradient, second moment, feature gradient) as sums weighted by slice size,
 * one all-reduce for all of them; per-example quantities (losses, squared gradient norms,
 * features, outputs, feature gradient rows) by one all-gather in rank order, which is batch
 * order because slices are contiguous. Sums are taken in float64 and rounded to float32
 * once, so the result matches a single process to float32 rounding.
 */
import type { EvaluateRequest, EvaluateResult, TensorOps } from '@abs/core';
import type { Communicator } from './communicator';
import type { BatchSplit } from './split-batch';

/** How each rank's slice entered the merge; the same on every rank. */
export interface MergePlan {
  readonly split: BatchSplit;
  readonly rank: number;
  readonly request: EvaluateRequest<unknown>;
}

type List<T> = readonly (T | undefined)[] | undefined;

const rowWidth = (shape: readonly number[]) => shape.slice(1).reduce((a, b) => a * b, 1);

/** A parameter list on the host, holes kept, each tensor's values to be scaled by `weight`. */
interface HostList {
  readonly shapes: (readonly number[] | undefined)[];
  readonly values: Float32Array[];
  readonly weight: number;
}

async function readList<T>(ops: TensorOps<T>, list: List<T>, weight: number): Promise<HostList | undefined> {
  if (!list) return undefined;
  const shapes = Array.from(list, (t) => (t === undefined ? undefined : ops.shape(t)));
  const values: Float32Array[] = [];
  for (const tensor of list) if (tensor !== undefined) values.push(await ops.read(tensor));
  return { shapes, values, weight };
}

/** [scalar, then every list's weighted values] in one float64 buffer. */
function packSums(scalar: number, lists: readonly (HostList | undefined)[]): Float64Array {
  let length = 1;
  for (const list of lists) for (const v of list?.values ?? []) length += v.length;
  const out = new Float64Array(length);
  out[0] = scalar;
  let at = 1;
  for (const list of lists) {
    for (const v of list?.values ?? []) {
      for (let i = 0; i < v.length; i++) out[at + i] = (list as HostList).weight * (v[i] as number);
      at += v.length;
    }
  }
  return out;
}

function takeTensors<T>(
  ops: TensorOps<T>,
  shapes: (readonly number[] | undefined)[] | undefined,
  sums: Float64Array,
  at: { offset: number },
  scale: number,
): T[] | undefined {
  if (!shapes) return undefined;
  return shapes.map((shape) => {
    if (!shape) return undefined as T;
    const length = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = (sums[at.offset + i] as number) * scale;
    at.offset += length;
    return ops.fromArray(values, shape);
  });
}

interface RowPiece {
  readonly key: 'perExampleLoss' | 'norm' | 'features' | 'outputs' | 'featureGradient';
  readonly parameter?: number;
  /** Values per example. */
  readonly width: number;
  readonly shape?: readonly number[];
  readonly values: ArrayLike<number>;
  readonly scale: number;
}

/** Disposes every tensor of an evaluation result. */
export function disposeResult<T>(ops: TensorOps<T>, result: EvaluateResult<T>): void {
  for (const list of [result.gradient, result.secondMoment, result.weightedGradient]) {
    for (const t of list ?? []) if (t !== undefined) ops.dispose(t);
  }
  for (const t of [result.features, result.outputs, result.featureGradient]) if (t !== undefined) ops.dispose(t);
}

/**
 * Collective. Consumes `local` (its tensors are disposed) and returns a new result owned by
 * the caller.
 */
export async function mergeResults<T>(
  ops: TensorOps<T>,
  communicator: Communicator,
  local: EvaluateResult<T>,
  plan: MergePlan,
): Promise<EvaluateResult<T>> {
  const { counts } = plan.split;
  const n = counts.reduce((a, b) => a + b, 0);
  const mine = counts[plan.rank] as number;
  // Sums: Σ_r m_r·loss_r, then Σ_r w_r·gradient_r (w_r = m_r for a mean, 1 for the
  // upstream-gradient form, which is already a sum), then Σ_r m_r·secondMoment_r.
  const gradients = await readList(ops, local.gradient, plan.request.outputGradient ? 1 : mine);
  const moments = await readList(ops, local.secondMoment, mine);

  const pieces: RowPiece[] = [];
  if (local.perExampleLoss) pieces.push({ key: 'perExampleLoss', width: 1, values: local.perExampleLoss, scale: 1 });
  local.perExampleGradientNormSquared?.forEach((values, parameter) => {
    if (values) pieces.push({ key: 'norm', parameter, width: 1, values, scale: 1 });
  });
  const rows = async (key: RowPiece['key'], tensor: T | undefined, scale: number) => {
    if (tensor === undefined) return;
    const shape = ops.shape(tensor);
    pieces.push({ key, width: rowWidth(shape), shape, values: await ops.read(tensor), scale });
  };
  await rows('features', local.features, 1);
  await rows('outputs', local.outputs, 1);
  // ∂(mean over n)/∂x_i = (m_r/n)·∂(mean over m_r)/∂x_i for the rows of rank r.
  await rows('featureGradient', local.featureGradient, mine / n);

  disposeResult(ops, local);

  const reduced = await communicator.allreduce(packSums(mine * local.loss, [gradients, moments]), 'sum');
  const at = { offset: 1 };
  const gradient = takeTensors(ops, gradients?.shapes, reduced, at, plan.request.outputGradient ? 1 : 1 / n);
  const secondMoment = takeTensors(ops, moments?.shapes, reduced, at, 1 / n);

  const perRow = pieces.reduce((s, p) => s + p.width, 0);
  const result: {
    -readonly [K in keyof EvaluateResult<T>]: EvaluateResult<T>[K];
  } = { batchSize: n, loss: (reduced[0] as number) / n };
  if (gradient) result.gradient = gradient;
  if (secondMoment) result.secondMoment = secondMoment;
  if (perRow === 0) return result;

  const buffer = new Float64Array(mine * perRow);
  let offset = 0;
  for (const piece of pieces) {
    const length = mine * piece.width;
    for (let i = 0; i < length; i++) buffer[offset + i] = (piece.values[i] as number) * piece.scale;
    offset += length;
  }
  const gathered = await communicator.allgather(
    buffer,
    counts.map((c) => c * perRow),
  );
  // Rank r's block holds its pieces one after another; piece k of rank r goes to rows
  // [start_r, start_r + m_r) of output k.
  const outputs = pieces.map((piece) =>
    piece.key === 'perExampleLoss' || piece.key === 'norm'
      ? new Float64Array(n * piece.width)
      : new Float32Array(n * piece.width),
  );
  let block = 0;
  counts.forEach((count, r) => {
    let within = block;
    pieces.forEach((piece, k) => {
      const length = count * piece.width;
      (outputs[k] as Float64Array | Float32Array).set(
        gathered.subarray(within, within + length),
        (plan.split.starts[r] as number) * piece.width,
      );
      within += length;
    });
    block += count * perRow;
  });
  const norms: Float64Array[] = [];
  pieces.forEach((piece, k) => {
    const values = outputs[k] as Float64Array | Float32Array;
    if (piece.key === 'perExampleLoss') result.perExampleLoss = values as Float64Array;
    else if (piece.key === 'norm') norms[piece.parameter as number] = values as Float64Array;
    else result[piece.key] = ops.fromArray(values as Float32Array, [n, ...(piece.shape ?? []).slice(1)]);
  });
  if (local.perExampleGradientNormSquared) {
    result.perExampleGradientNormSquared = Array.from(
      { length: local.perExampleGradientNormSquared.length },
      (_, p) => norms[p] as Float64Array,
    );
  }
  return result;
}
