/**
 * Cheap fingerprints (32-bit FNV-1a over 32-bit words) and the collective check that every rank
 * holds the same ones: one all-reduce of [h, −h] per entry with `max` gives max and −min, so
 * every rank learns whether they agree and all of them throw (or not) together.
 */
import type { Communicator } from './communicator';
import { RankMismatchError, type RankMismatchSubject } from './errors/rank-mismatch-error';

export const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Folds the bytes of `data` into `hash` (word by word, then the tail bytes). */
export function hashBytes(hash: number, data: ArrayBufferView): number {
  const words = Math.floor(data.byteLength / 4);
  const aligned = data.byteOffset % 4 === 0;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const view = aligned ? new Uint32Array(data.buffer, data.byteOffset, words) : undefined;
  let h = hash >>> 0;
  for (let i = 0; i < words; i++) {
    const word = view
      ? (view[i] as number)
      : (bytes[4 * i] as number) |
        ((bytes[4 * i + 1] as number) << 8) |
        ((bytes[4 * i + 2] as number) << 16) |
        ((bytes[4 * i + 3] as number) << 24);
    h = Math.imul(h ^ word, FNV_PRIME) >>> 0;
  }
  for (let i = 4 * words; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME) >>> 0;
  return h;
}

/** Folds a string (its UTF-16 code units) into `hash`. */
export function hashString(hash: number, text: string): number {
  let h = hash >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME) >>> 0;
  return h;
}

/** Fingerprint of a JSON-serialisable value (key order as written). */
export function hashJson(value: unknown): number {
  return hashString(FNV_OFFSET, JSON.stringify(value) ?? 'undefined');
}

export interface Fingerprint {
  readonly subject: RankMismatchSubject;
  /** An integer in [0, 2³²). */
  readonly hash: number;
}

/**
 * Collective: throws `RankMismatchError` on every rank, for the first subject whose
 * fingerprint is not the same on all ranks.
 */
export async function agreeOnFingerprints(communicator: Communicator, entries: readonly Fingerprint[]): Promise<void> {
  const local = new Float64Array(2 * entries.length);
  entries.forEach((entry, i) => {
    local[2 * i] = entry.hash;
    local[2 * i + 1] = -entry.hash;
  });
  const reduced = await communicator.allreduce(local, 'max');
  throwOnMismatch(reduced, 0, entries);
}

/** Checks [max, −min] pairs at `offset` of an all-reduced (max) buffer. */
export function throwOnMismatch(reduced: Float64Array, offset: number, entries: readonly Fingerprint[]): void {
  entries.forEach((entry, i) => {
    const max = reduced[offset + 2 * i] as number;
    const min = -(reduced[offset + 2 * i + 1] as number);
    if (max !== min) {
      throw new RankMismatchError({
        subject: entry.subject,
        detail: `fingerprints range from ${min.toString(16)} to ${max.toString(16)}; this rank has ${entry.hash.toString(16)}`,
      });
    }
  });
}

/**
 * Collective: refuses to go on unless `value` (JSON-serialisable, e.g. the algorithm's config
 * and the training options) is the same on every rank.
 * @throws RankMismatchError with subject `'agreement'` on every rank
 */
export function assertSameOnAllRanks(communicator: Communicator, value: unknown): Promise<void> {
  return agreeOnFingerprints(communicator, [{ subject: 'agreement', hash: hashJson(value) }]);
}
