/**
 * `shareJson(communicator, value, root)`: root's JSON value on every rank, e.g. a checkpoint
 * only rank 0 read from disk, for `train(..., { resume })` on all ranks.
 */
import type { Json } from '@abs/core';
import type { Communicator } from './communicator';

/** Collective; the value passed on ranks other than `root` is ignored (pass `undefined`). */
export async function shareJson<V extends Json>(
  communicator: Communicator,
  value: V | undefined,
  root = 0,
): Promise<V> {
  const bytes = communicator.rank === root ? new TextEncoder().encode(JSON.stringify(value)) : new Uint8Array(0);
  const received = await communicator.broadcast(bytes, root);
  return JSON.parse(new TextDecoder().decode(received)) as V;
}
