/**
 * Seeded batch sampler that accepts any batch size on every call. Examples are drawn
 * without replacement within an epoch (a Fisher–Yates permutation of the dataset per
 * epoch, seeded by `deriveSeed(seed, 'epoch', epoch)`). The state is plain JSON, so an
 * algorithm keeps it in its own state and a resumed run draws exactly the same batches.
 */
import { checker } from '../config/validate';
import { InvalidCheckpointError } from '../errors/invalid-checkpoint-error';
import { formatValue } from '../errors/invalid-hyper-parameter-error';
import { createRng, deriveSeed } from '../random/rng';

export interface SamplerState {
  readonly seed: number;
  /** Dataset size. */
  readonly size: number;
  /** Current epoch (0-based). */
  readonly epoch: number;
  /** Position in the current epoch's permutation. */
  readonly position: number;
  readonly examplesSeen: number;
}

export interface SampledBatch {
  readonly indices: Int32Array;
  /** Epoch of the batch's last example. */
  readonly epoch: number;
  /** True when this batch finished an epoch. */
  readonly epochEnded: boolean;
  readonly state: SamplerState;
}

/**
 * What happens when a batch reaches past the end of an epoch:
 * - `'wrap'` (default): continue into the next epoch's permutation, so batches always have
 *   the requested size (an example may then appear in both parts, never twice in one epoch);
 * - `'truncate'`: return the shorter tail; the next call starts the next epoch.
 */
export type EpochTail = 'wrap' | 'truncate';

/**
 * Throws `InvalidCheckpointError` naming the field (`${field}.position`) unless `value` is a
 * sampler state over `size` examples, e.g. one read back from a checkpoint.
 */
export function checkSamplerState(value: unknown, field: string, size: number): void {
  const state = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const bad = (key: string, problem: string): never => {
    throw new InvalidCheckpointError({
      field: key ? `${field}.${key}` : field,
      value: key ? state[key] : value,
      problem: `must be ${problem}, got ${formatValue(key ? state[key] : value)}`,
    });
  };
  if (typeof value !== 'object' || value === null) bad('', 'a sampler state object');
  const integer = (key: string, lte: number, rule: string) => {
    const x = state[key];
    if (!Number.isSafeInteger(x) || (x as number) < 0 || (x as number) > lte) bad(key, rule);
  };
  integer('seed', 0xffffffff, 'an integer in [0, 2³²)');
  if (state.size !== size) bad('size', `the dataset size ${size}`);
  integer('epoch', Number.MAX_SAFE_INTEGER, 'an integer ≥ 0');
  integer('position', size - 1, `an integer in [0, ${size})`);
  integer('examplesSeen', Number.MAX_SAFE_INTEGER, 'an integer ≥ 0');
}

export function createSamplerState(options: { size: number; seed: number }): SamplerState {
  const c = checker('sampler');
  const size = c.integer('size', options.size, { gte: 1 });
  const seed = c.integer('seed', options.seed, { gte: 0, lte: 0xffffffff });
  return { seed, size, epoch: 0, position: 0, examplesSeen: 0 };
}

let cache: { seed: number; size: number; epoch: number; order: Int32Array } | undefined;

/** The permutation of `[0, size)` used in `epoch`. */
export function epochPermutation(seed: number, size: number, epoch: number): Int32Array {
  if (cache && cache.seed === seed && cache.size === size && cache.epoch === epoch) return cache.order;
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  createRng(deriveSeed(seed, 'epoch', epoch)).shuffle(order);
  cache = { seed, size, epoch, order };
  return order;
}

/**
 * Draws the next `batchSize` indices.
 * @example
 * let s = createSamplerState({ size: 10, seed: 1 });
 * const b = sampleBatch(s, 4); // b.indices: 4 distinct indices; b.state.position === 4
 */
export function sampleBatch(state: SamplerState, batchSize: number, tail: EpochTail = 'wrap'): SampledBatch {
  checker('sampler').integer('batchSize', batchSize, {
    gte: 1,
    lte: state.size,
    names: { lte: `the dataset size ${state.size}` },
  });
  const indices = new Int32Array(tail === 'truncate' ? Math.min(batchSize, state.size - state.position) : batchSize);
  let { epoch, position } = state;
  let epochEnded = false;
  let filled = 0;
  while (filled < indices.length) {
    const order = epochPermutation(state.seed, state.size, epoch);
    const take = Math.min(indices.length - filled, state.size - position);
    indices.set(order.subarray(position, position + take), filled);
    filled += take;
    position += take;
    if (position === state.size) {
      epoch += 1;
      position = 0;
      epochEnded = true;
    }
  }
  return {
    indices,
    epoch: epochEnded && position === 0 ? epoch - 1 : epoch,
    epochEnded,
    state: { ...state, epoch, position, examplesSeen: state.examplesSeen + indices.length },
  };
}
