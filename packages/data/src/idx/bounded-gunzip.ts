/**
 * Gzip decompression that never inflates more than an IDX header allows. A deflate stream
 * expands by up to ~1,032:1, so a 1 MB file can inflate to a gigabyte (a "gzip bomb").
 * `inflateHead` inflates only a short compressed prefix, enough for the header (at most
 * 4 + 4·255 = 1,024 bytes); `inflateAtMost` then inflates the whole stream with Node's
 * `maxOutputLength` set to the size that header declares, and stops as soon as it is passed.
 */
import { constants as bufferConstants } from 'node:buffer';
import { gunzipSync, constants as zlibConstants } from 'node:zlib';

/** Bytes of output a header probe may inflate before its prefix is shortened. */
const PROBE_LIMIT = 1 << 20;
/** First compressed prefix tried by `inflateHead` (≤ ~66 KB of output). */
const FIRST_PROBE = 64;

/** The largest buffer Node can allocate, so the largest output `inflateAtMost` can bound. */
export const MAX_INFLATED_BYTES = bufferConstants.MAX_LENGTH;

/** `true` for bytes that start with the gzip magic number 0x1f 0x8b. */
export const isGzip = (bytes: Uint8Array): boolean => bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * The first `wanted` or more bytes of the decompressed stream (all of it when shorter),
 * inflating at most `PROBE_LIMIT` bytes per probe: compressed prefixes double until their
 * output reaches `wanted`, and are bisected when a prefix inflates past the limit.
 * @throws the zlib error when the stream is corrupt
 */
export function inflateHead(bytes: Uint8Array, wanted: number): Uint8Array {
  let short = 0; // longest prefix known to give fewer than `wanted` bytes
  let long = bytes.length + 1; // shortest prefix known to give more than PROBE_LIMIT bytes
  let length = Math.min(bytes.length, FIRST_PROBE);
  for (;;) {
    const output = probe(bytes.subarray(0, length));
    if (output === undefined) {
      long = length;
    } else if (output.length >= wanted) {
      return output;
    } else if (length === bytes.length) {
      // The whole stream inflates to fewer than `wanted` bytes: inflate it strictly (checksums).
      return gunzipSync(bytes, { maxOutputLength: PROBE_LIMIT });
    } else {
      short = length;
    }
    length = long > bytes.length ? Math.min(bytes.length, 2 * length) : Math.floor((short + long) / 2);
    // One compressed byte adds a few KB at most, far below PROBE_LIMIT, so the bisection
    // always finds a prefix in between; this guards against a zlib that behaves otherwise.
    if (length === short) {
      throw new Error(`no prefix of the stream inflates to between ${wanted} and ${PROBE_LIMIT} bytes`);
    }
  }
}

/**
 * The whole decompressed stream if it has at most `limit` bytes, else `undefined`, having
 * inflated no more than `limit` bytes (plus one zlib chunk).
 * @throws the zlib error when the stream is corrupt or truncated
 */
export function inflateAtMost(bytes: Uint8Array, limit: number): Uint8Array | undefined {
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    if (isTooLarge(error)) return undefined;
    throw error;
  }
}

/** Inflates a compressed prefix as far as it goes; `undefined` past `PROBE_LIMIT`. */
function probe(prefix: Uint8Array): Uint8Array | undefined {
  try {
    return gunzipSync(prefix, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: PROBE_LIMIT });
  } catch (error) {
    if (isTooLarge(error)) return undefined;
    throw error;
  }
}

const isTooLarge = (error: unknown): boolean =>
  error instanceof RangeError && (error as RangeError & { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
