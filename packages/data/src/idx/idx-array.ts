/**
 * The IDX format (LeCun et al., the MNIST distribution format): a 4-byte magic number
 * `0x00 0x00 <type> <ndims>`, then ndims unsigned 32-bit big-endian sizes, then the values
 * in row-major order, big-endian. Types: 0x08 ubyte, 0x09 byte, 0x0B short (int16),
 * 0x0C int (int32), 0x0D float (float32), 0x0E double (float64).
 */

export type IdxDataType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';

/** Values of an IDX file in host byte order. */
export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file. */
export interface IdxArray {
  readonly dtype: IdxDataType;
  /** Sizes of the dimensions, outermost first, e.g. `[60000, 28, 28]`. */
  readonly shape: readonly number[];
  /** `prod(shape)` values, row-major. */
  readonly data: IdxValues;
}

export interface IdxTypeInfo {
  readonly dtype: IdxDataType;
  readonly code: number;
  readonly bytes: number;
  /** Smallest and largest value of an integer type. */
  readonly range?: readonly [number, number];
  readonly create: (length: number) => IdxValues;
  readonly read: (view: DataView, offset: number) => number;
  readonly write: (view: DataView, offset: number, value: number) => void;
}

export const IDX_TYPES: readonly IdxTypeInfo[] = [
  {
    dtype: 'ubyte',
    code: 0x08,
    range: [0, 255],
    bytes: 1,
    create: (n) => new Uint8Array(n),
    read: (v, o) => v.getUint8(o),
    write: (v, o, x) => v.setUint8(o, x),
  },
  {
    dtype: 'byte',
    code: 0x09,
    range: [-128, 127],
    bytes: 1,
    create: (n) => new Int8Array(n),
    read: (v, o) => v.getInt8(o),
    write: (v, o, x) => v.setInt8(o, x),
  },
  {
    dtype: 'short',
    code: 0x0b,
    range: [-32768, 32767],
    bytes: 2,
    create: (n) => new Int16Array(n),
    read: (v, o) => v.getInt16(o),
    write: (v, o, x) => v.setInt16(o, x),
  },
  {
    dtype: 'int',
    code: 0x0c,
    range: [-2147483648, 2147483647],
    bytes: 4,
    create: (n) => new Int32Array(n),
    read: (v, o) => v.getInt32(o),
    write: (v, o, x) => v.setInt32(o, x),
  },
  {
    dtype: 'float',
    code: 0x0d,
    bytes: 4,
    create: (n) => new Float32Array(n),
    read: (v, o) => v.getFloat32(o),
    write: (v, o, x) => v.setFloat32(o, x),
  },
  {
    dtype: 'double',
    code: 0x0e,
    bytes: 8,
    create: (n) => new Float64Array(n),
    read: (v, o) => v.getFloat64(o),
    write: (v, o, x) => v.setFloat64(o, x),
  },
];

export const hex = (value: number, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`;

/** "0x08 ubyte, 0x09 byte, ..." for error messages. */
export const KNOWN_TYPES = IDX_TYPES.map((t) => `${hex(t.code, 2)} ${t.dtype}`).join(', ');
