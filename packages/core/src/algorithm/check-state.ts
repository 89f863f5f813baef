/**
 * Building blocks of `Algorithm.checkState`: a resumed state is checked field by field before
 * the first step, so a corrupted checkpoint fails at `resume` with an `InvalidCheckpointError`
 * naming the field instead of at some later step with whatever the arithmetic throws.
 */
import { InvalidCheckpointError } from '../errors/invalid-checkpoint-error';
import { formatValue } from '../errors/invalid-hyper-parameter-error';
import type { Model } from '../model/model';
import { disposeOptimizerState, type Optimizer, type OptimizerState } from '../optim/optimizer';

/** Throws the `InvalidCheckpointError` for `field`, a path under `resume.state` ('' for the state itself). */
export function invalidState(field: string, value: unknown, rule: string): never {
  throw new InvalidCheckpointError({
    field: field ? `resume.state.${field}` : 'resume.state',
    value,
    problem: `must be ${rule}, got ${formatValue(value)}`,
  });
}

/** `value` as a plain object whose fields may be anything (a corrupted state may be `null`). */
export function stateRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  return invalidState(field, value, 'an object');
}

/** A safe integer ≥ `min` (default 0). */
export function checkStateInteger(value: unknown, field: string, min = 0): number {
  if (Number.isSafeInteger(value) && (value as number) >= min) return value as number;
  return invalidState(field, value, `an integer ≥ ${min}`);
}

/** A finite number, optionally within [min, max]. */
export function checkStateNumber(value: unknown, field: string, range: { min?: number; max?: number } = {}): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = range;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  const bounds = [Number.isFinite(min) ? `≥ ${min}` : '', Number.isFinite(max) ? `≤ ${max}` : '']
    .filter(Boolean)
    .join(' and ');
  return invalidState(field, value, `a finite number${bounds ? ` ${bounds}` : ''}`);
}

/** One tensor per parameter of `model`, each of its parameter's shape. */
export function checkStateTensors<T>(model: Model<T>, list: unknown, field: string): void {
  const shapes = model.parameterInfo.map((p) => p.shape.join('×'));
  const ok =
    Array.isArray(list) &&
    list.length === shapes.length &&
    list.every((t, i) => model.ops.isTensor(t) && model.ops.shape(t).join('×') === shapes[i]);
  if (!ok) invalidState(field, list, `one tensor per parameter, shaped [${shapes.join(', ')}]`);
}

/**
 * The state of `optimizer` on `model`'s parameters: its step, its learning rate and exactly
 * the slots a fresh state of this optimiser has, each one tensor per parameter.
 */
export function checkOptimizerState<T>(model: Model<T>, optimizer: Optimizer, value: unknown, field: string): void {
  const saved = stateRecord(value, field) as { readonly [K in keyof OptimizerState<T>]?: unknown };
  checkStateInteger(saved.step, `${field}.step`);
  if (typeof saved.learningRate !== 'number') invalidState(`${field}.learningRate`, saved.learningRate, 'a number');
  const slots = stateRecord(saved.slots ?? {}, `${field}.slots`);
  const fresh = optimizer.init(model.ops, model.parameters);
  const names = Object.keys(fresh.slots);
  disposeOptimizerState(model.ops, fresh);
  if (Object.keys(slots).sort().join() !== [...names].sort().join()) {
    invalidState(`${field}.slots`, Object.keys(slots), `the ${optimizer.name} slots [${names.join(', ')}]`);
  }
  for (const name of names) checkStateTensors(model, slots[name], `${field}.slots.${name}`);
}
