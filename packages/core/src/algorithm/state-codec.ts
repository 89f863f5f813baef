/**
 * JSON round-trip for algorithm state trees: plain objects, arrays, numbers (including
 * NaN/±Infinity), strings, booleans, null, typed arrays, and backend tensors (detected by
 * `ops.isTensor`). Float data is stored bit-exactly as base64, so a resumed run continues
 * with identical numbers.
 */
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import type { TensorOps } from '../tensor/tensor-ops';

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

type TypedArray = Float32Array | Float64Array | Int32Array | Uint32Array;
const TYPED: Record<string, new (buffer: ArrayBuffer) => TypedArray> = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u32: Uint32Array,
};

function typedKind(value: unknown): string | undefined {
  if (value instanceof Float32Array) return 'f32';
  if (value instanceof Float64Array) return 'f64';
  if (value instanceof Int32Array) return 'i32';
  if (value instanceof Uint32Array) return 'u32';
  return undefined;
}

/** Bytes of a typed array as base64 (portable: `btoa` exists in Node ≥ 16 and browsers). */
export function toBase64(array: ArrayBufferView): string {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function fromBase64(text: string): ArrayBuffer {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

/** Encodes a state tree as JSON-safe data, reading tensors from the backend. */
export async function encodeState<T>(ops: TensorOps<T>, value: unknown): Promise<Json> {
  if (ops.isTensor(value)) {
    const data = await ops.read(value);
    return { $tensor: { shape: [...ops.shape(value)], data: toBase64(data) } };
  }
  const kind = typedKind(value);
  if (kind) return { [`$${kind}`]: toBase64(value as TypedArray) };
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => encodeState(ops, v)));
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = await encodeState(ops, v);
    }
    return out;
  }
  throw new InvalidArgumentError({
    argument: 'state',
    value,
    message: `encodeState: cannot serialise a value of type ${typeof value}`,
  });
}

/** Inverse of `encodeState`: uploads tensors to the backend. */
export function decodeState<T>(ops: TensorOps<T>, json: Json): unknown {
  if (json === null || typeof json !== 'object') return json;
  if (Array.isArray(json)) return json.map((v) => decodeState(ops, v));
  const record = json as Record<string, Json>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const key = keys[0] as string;
    const inner = record[key] as Json;
    if (key === '$tensor') {
      const t = inner as { shape: number[]; data: string };
      return ops.fromArray(new Float32Array(fromBase64(t.data)), t.shape);
    }
    if (key === '$number') return Number(inner);
    const ctor = key.startsWith('$') ? TYPED[key.slice(1)] : undefined;
    if (ctor) return new ctor(fromBase64(inner as string));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decodeState(ops, record[k] as Json);
  return out;
}

/** Disposes every tensor in a state tree. */
export function disposeState<T>(ops: TensorOps<T>, value: unknown): void {
  if (ops.isTensor(value)) ops.dispose(value);
  else if (Array.isArray(value)) for (const v of value) disposeState(ops, v);
  else if (value && typeof value === 'object' && !typedKind(value)) {
    for (const v of Object.values(value)) disposeState(ops, v);
  }
}
