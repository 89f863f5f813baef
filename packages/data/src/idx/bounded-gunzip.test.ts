import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { inflateAtMost, inflateHead, MAX_INFLATED_BYTES } from './bounded-gunzip';
import { encodeIdx } from './encode-idx';
import { parseIdx } from './read-idx';

// An IDX file of shape [4] ubyte is 8 header bytes and 4 data bytes; here followed by 16 MiB
// of zeros, which gzip compresses to ~16 KB: a small gzip bomb.
const idx = encodeIdx({ dtype: 'ubyte', shape: [4], data: [1, 2, 3, 4] });
const zeros = new Uint8Array(16 << 20);
const bomb = gzipSync(Buffer.concat([idx, zeros]));

/** A gzip member written by hand with a `name` field (FLG.FNAME): the name comes before any data. */
function gzipWithName(payload: Uint8Array, name: string): Uint8Array {
  const header = [0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 0xff];
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(payload), 0);
  trailer.writeUInt32LE(payload.length % 2 ** 32, 4);
  return Buffer.concat([Uint8Array.from(header), Buffer.from(`${name}\0`, 'latin1'), deflateRawSync(payload), trailer]);
}

const formatError = (run: () => unknown): DataFormatError => {
  try {
    run();
  } catch (error) {
    if (DataFormatError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DataFormatError');
};

describe('bounded gunzip', () => {
  it('refuses a gzip bomb after the size its IDX header declares', () => {
    expect(bomb.length).toBeLessThan(64 << 10);
    const error = formatError(() => parseIdx(bomb, { source: 'bomb.idx.gz' }));
    // 8 header bytes + 4 data bytes = 12: inflating stopped there instead of at 16 MiB + 12.
    expect(error.message).toBe(
      "'bomb.idx.gz' is not a valid IDX file: unexpected bytes after the data: shape [4] of ubyte needs 4 data bytes, and it decompresses to more than 12 bytes",
    );
  });

  it('inflates a header from a short prefix, and the whole stream only up to a limit', () => {
    const head = inflateHead(bomb, 1024);
    expect(head.length).toBeGreaterThanOrEqual(1024);
    // The probe limit (1 MiB) bounds what the header probe inflates, not the 16 MiB stream.
    expect(head.length).toBeLessThanOrEqual(1 << 20);
    expect(Array.from(head.subarray(0, 12))).toEqual(Array.from(idx));
    expect(inflateAtMost(bomb, 12)).toBeUndefined();
    expect(inflateAtMost(gzipSync(idx), 12)).toEqual(Buffer.from(idx));
    // A stream shorter than the header wanted is returned whole.
    expect(inflateHead(gzipSync(idx), 1024)).toEqual(Buffer.from(idx));
  });

  it('bisects when a prefix holds no data and its double inflates past the probe limit', () => {
    // A 3,000-byte name: prefixes of 64 … 2,048 bytes inflate to nothing; 4,096 bytes hold
    // ~1,090 bytes of compressed zeros, which inflate past the 1 MiB probe limit (zeros compress
    // ~1,030:1), so the probe bisects to 3,072 bytes (~40 KB of output).
    const named = gzipWithName(Buffer.concat([idx, zeros]), 'n'.repeat(3000));
    const head = inflateHead(named, 1024);
    expect(head.length).toBeGreaterThanOrEqual(1024);
    expect(head.length).toBeLessThanOrEqual(1 << 20);
    expect(Array.from(head.subarray(0, 12))).toEqual(Array.from(idx));
    expect(formatError(() => parseIdx(named)).problem).toBe(
      'unexpected bytes after the data: shape [4] of ubyte needs 4 data bytes, and it decompresses to more than 12 bytes',
    );
    expect(Array.from(parseIdx(gzipWithName(idx, 'images')).data)).toEqual([1, 2, 3, 4]);
  });

  it('rejects a header that declares more than a buffer can hold before inflating anything', () => {
    const header = Uint8Array.of(0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255);
    const declared = (2 ** 32 - 1) ** 3;
    expect(declared).toBeGreaterThan(MAX_INFLATED_BYTES);
    expect(formatError(() => parseIdx(gzipSync(header))).problem).toBe(
      `shape [4294967295, 4294967295, 4294967295] of ubyte needs ${declared} data bytes, more than the ${MAX_INFLATED_BYTES} bytes a buffer can hold`,
    );
  });

  it('reports a gzip stream cut short as one that cannot be decompressed', () => {
    const whole = gzipSync(encodeIdx({ dtype: 'ubyte', shape: [64], data: new Uint8Array(64).fill(7) }));
    const error = formatError(() => parseIdx(whole.subarray(0, whole.length - 6)));
    expect(error.problem).toBe('it starts like gzip but cannot be decompressed (unexpected end of file)');
  });
});
