/**
 * Checks that throw `NonFiniteError` naming the quantity and step. Tensor checks read one
 * scalar per tensor (its sum, which is non-finite iff some element is, barring overflow of
 * finite values, which is reported too).
 */
import { NonFiniteError } from '../errors/non-finite-error';
import type { TensorOps } from '../tensor/tensor-ops';

export function assertFinite(value: number, quantity: string, step?: number): void {
  if (!Number.isFinite(value)) throw new NonFiniteError({ quantity, value, step });
}

/** Throws for the first tensor whose sum is not finite, naming it `prefix[name]`. */
export async function assertFiniteTensors<T>(
  ops: TensorOps<T>,
  tensors: readonly T[],
  options: { prefix: string; names: readonly string[]; step?: number },
): Promise<void> {
  const sums = await Promise.all(tensors.map((t) => ops.sum(t)));
  sums.forEach((s, i) => {
    if (!Number.isFinite(s)) {
      throw new NonFiniteError({
        quantity: `${options.prefix}[${options.names[i] ?? i}]`,
        value: s,
        step: options.step,
      });
    }
  });
}
