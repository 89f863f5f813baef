/**
 * An in-process group of communicators: `size` ranks that run as concurrent async tasks in one
 * process and meet at each collective. For tests and for trying a data-parallel script
 * without MPI; it computes what MPI computes (sums in rank order, so results are
 * deterministic).
 */
import { InvalidArgumentError } from '@abs/core';
import type { Communicator, ReduceOp } from './communicator';

interface Pending {
  readonly kind: string;
  readonly inputs: unknown[];
  arrived: number;
  readonly resolvers: ((value: unknown) => void)[];
  readonly rejecters: ((error: unknown) => void)[];
}

/**
 * @param size number of ranks (≥ 1)
 * @returns one communicator per rank; each must make the same collective calls in the same order
 * @example
 * const group = createLocalGroup(2);
 * await Promise.all(group.map(async (comm) => train(await dataParallel(await compile(), { communicator: comm }), algo, { steps: 10 })));
 */
export function createLocalGroup(size: number): Communicator[] {
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new InvalidArgumentError({
      argument: 'size',
      value: size,
      message: `createLocalGroup: size must be an integer ≥ 1, got ${size}`,
    });
  }
  const rounds: Pending[] = [];
  const calls = new Array<number>(size).fill(0);

  function meet<I, O>(rank: number, kind: string, input: I, combine: (inputs: I[]) => O[]): Promise<O> {
    const index = calls[rank] as number;
    calls[rank] = index + 1;
    let round = rounds[index];
    if (!round) {
      round = { kind, inputs: new Array(size), arrived: 0, resolvers: new Array(size), rejecters: new Array(size) };
      rounds[index] = round;
    }
    const current = round;
    return new Promise<O>((resolve, reject) => {
      current.inputs[rank] = input;
      current.resolvers[rank] = resolve as (value: unknown) => void;
      current.rejecters[rank] = reject;
      if (current.kind !== kind) {
        const error = new InvalidArgumentError({
          argument: 'collective',
          value: kind,
          message: `createLocalGroup: collective #${index} is '${current.kind}' on one rank and '${kind}' on rank ${rank}`,
        });
        for (const fail of current.rejecters) fail?.(error);
        return;
      }
      current.arrived += 1;
      if (current.arrived < size) return;
      let outputs: O[];
      try {
        outputs = combine(current.inputs as I[]);
      } catch (error) {
        for (const fail of current.rejecters) fail(error);
        return;
      }
      current.resolvers.forEach((done, r) => {
        done(outputs[r]);
      });
      delete rounds[index];
    });
  }

  return Array.from({ length: size }, (_, rank) => ({
    rank,
    size,
    allreduce(values: Float64Array, op: ReduceOp) {
      return meet(rank, `allreduce:${op}:${values.length}`, values, (inputs) => {
        const out = Float64Array.from(inputs[0] as Float64Array);
        for (const other of inputs.slice(1)) {
          for (let i = 0; i < out.length; i++) {
            const v = other[i] as number;
            out[i] = op === 'sum' ? (out[i] as number) + v : Math.max(out[i] as number, v);
          }
        }
        return inputs.map(() => Float64Array.from(out));
      });
    },
    allgather(values: Float64Array, counts: readonly number[]) {
      return meet(rank, `allgather:${counts.join(',')}`, values, (inputs) => {
        inputs.forEach((v, r) => {
          if (v.length !== counts[r]) {
            throw new InvalidArgumentError({
              argument: 'values',
              value: v.length,
              message: `createLocalGroup: rank ${r} sent ${v.length} values to allgather, counts say ${counts[r]}`,
            });
          }
        });
        const out = new Float64Array(counts.reduce((s, c) => s + c, 0));
        let at = 0;
        for (const v of inputs) {
          out.set(v, at);
          at += v.length;
        }
        return inputs.map(() => Float64Array.from(out));
      });
    },
    broadcast(bytes: Uint8Array, root: number) {
      return meet(rank, `broadcast:${root}`, bytes, (inputs) => inputs.map(() => Uint8Array.from(inputs[root] ?? [])));
    },
  }));
}
