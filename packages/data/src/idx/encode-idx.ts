/**
 * Encoding to IDX (format in `idx-array.ts`): the inverse of `parseIdx`, for writing
 * datasets other tools read (and for tests).
 */
import { checker } from '@abs/core';
import { IDX_TYPES, type IdxDataType } from './idx-array';

export interface IdxInput {
  readonly dtype: IdxDataType;
  readonly shape: readonly number[];
  /** `prod(shape)` values, row-major; each must be representable in `dtype`. */
  readonly data: ArrayLike<number>;
}

/**
 * @param array - dtype, shape and values
 * @returns the IDX bytes (uncompressed)
 * @example
 * encodeIdx({ dtype: 'ubyte', shape: [2], data: [7, 9] }); // Uint8Array [0, 0, 8, 1, 0, 0, 0, 2, 7, 9]
 */
export function encodeIdx(array: IdxInput): Uint8Array {
  const check = checker('encodeIdx');
  const dtype = check.oneOf(
    'dtype',
    array.dtype,
    IDX_TYPES.map((t) => t.dtype),
  );
  const type = IDX_TYPES.find((t) => t.dtype === dtype) as (typeof IDX_TYPES)[number];
  const { shape, data } = array;
  check.check(shape.length >= 1 && shape.length <= 255, 'shape', shape, 'a list of 1 to 255 dimensions');
  shape.forEach((size, i) => {
    check.integer(`shape[${i}]`, size, { gte: 0, lte: 0xffffffff });
  });
  const count = shape.reduce((a, b) => a * b, 1);
  check.check(
    data.length === count,
    'data',
    `${data.length} values`,
    `${count} values for shape [${shape.join(', ')}]`,
  );
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + count * type.bytes);
  const view = new DataView(bytes.buffer);
  bytes[2] = type.code;
  bytes[3] = shape.length;
  shape.forEach((size, i) => view.setUint32(4 + 4 * i, size));
  const [min, max] = type.range ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let i = 0; i < count; i++) {
    const value = data[i] as number;
    if (type.range && !(Number.isInteger(value) && value >= min && value <= max)) {
      check.integer(`data[${i}]`, value, { gte: min, lte: max });
    }
    type.write(view, header + i * type.bytes, value);
  }
  return bytes;
}
