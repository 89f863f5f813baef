/**
 * Checks that throw `NonFiniteError` naming the quantity and step, and the guard every
 * algorithm runs on its new parameters before applying them. Tensor checks read one
 * scalar per tensor (its sum, which is non-finite iff some element is, barring overflow of
 * finite values, which is reported too).
 */
import { NonFiniteError } from '../errors/non-finite-error';
import type { Model } from '../model/model';
import type { TensorOps } from '../tensor/tensor-ops';
import { disposeState } from './state-codec';

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

/**
 * Checks a proposed parameter list before `model.setParameters`, so an update is applied only
 * when every new value is finite: float32 parameters can overflow to ±Infinity while the
 * loss and gradient that produced them are still finite. Throws `NonFiniteError` naming the
 * first bad parameter (`parameters[dense0/weight]`) after disposing `discard` (the proposal and
 * whatever else the failed step made, any tree of tensors); the model is left untouched.
 *
 * @example
 * const next = axpbyList(model.ops, 1, model.parameters, -learningRate, gradient);
 * await assertFiniteUpdate(model, next, { step, discard: next });
 * model.setParameters(next);
 */
export async function assertFiniteUpdate<T>(
  model: Pick<Model<T>, 'ops' | 'parameterInfo'>,
  parameters: readonly T[],
  options: { readonly step?: number; readonly discard?: unknown },
): Promise<void> {
  try {
    await assertFiniteTensors(model.ops, parameters, {
      prefix: 'parameters',
      names: model.parameterInfo.map((p) => p.name),
      ...(options.step === undefined ? {} : { step: options.step }),
    });
  } catch (error) {
    disposeState(model.ops, options.discard);
    throw error;
  }
}
