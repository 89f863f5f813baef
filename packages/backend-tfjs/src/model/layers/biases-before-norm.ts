import { describeSpec, type ModelSpec } from '@abs/core';

/**
 * Parameter indices of the biases of dense or conv2d layers whose next layer (in the same list)
 * is a batch norm. A training pass's batch norm subtracts the batch mean per channel, so its
 * output does not depend on such a bias: the bias's gradient is exactly zero.
 * @example
 * biasesBeforeNorm(sequential([4], [dense(3), batchNorm(), relu(), dense(2)])); // Set { 1 }
 */
export function biasesBeforeNorm(spec: ModelSpec): ReadonlySet<number> {
  const { layers, shapes } = describeSpec(spec);
  const kinds = new Map(shapes.map((s) => [s.path, s.kind]));
  const next = (path: string) => path.replace(/\[(\d+)\]$/, (_, i: string) => `[${Number(i) + 1}]`);
  return new Set(
    layers.flatMap((info) => {
      const bias = info.parameters[1];
      return info.kind !== 'batchNorm' && bias !== undefined && kinds.get(next(info.path)) === 'batchNorm'
        ? [bias]
        : [];
    }),
  );
}
