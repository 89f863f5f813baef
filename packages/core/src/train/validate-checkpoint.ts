/**
 * Up-front validation of a checkpoint read back from JSON (a file, a database): every field's
 * type, every shape, every base64 payload's length and the encoding of the algorithm state, so
 * a truncated or edited checkpoint fails before anything is written into the model, with an
 * `InvalidCheckpointError` naming the field (`resume.parameters[1].data`), never a raw
 * `RangeError` from a typed array or a `DOMException` from `atob`.
 */
import { InvalidCheckpointError } from '../errors/invalid-checkpoint-error';
import { formatValue } from '../errors/invalid-hyper-parameter-error';
import type { Checkpoint } from './checkpoint';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const TYPED_BYTES: Readonly<Record<string, number>> = { $f32: 4, $f64: 8, $i32: 4, $u32: 4 };

const fail = (field: string, value: unknown, problem: string): never => {
  throw new InvalidCheckpointError({ field, value, problem: `${problem}, got ${formatValue(value)}` });
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function record(field: string, value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : fail(field, value, 'must be an object');
}

function list(field: string, value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : fail(field, value, 'must be an array');
}

function count(field: string, value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) >= 0
    ? (value as number)
    : fail(field, value, 'must be an integer ≥ 0');
}

function finite(field: string, value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fail(field, value, 'must be a finite number');
}

/** A number, or null where JSON wrote a NaN or ±Infinity (a diverged test loss). */
function numberOrNull(field: string, value: unknown): void {
  if (typeof value !== 'number' && value !== null) fail(field, value, 'must be a number');
}

function shape(field: string, value: unknown): number[] {
  return list(field, value).map((d, i) => count(`${field}[${i}]`, d));
}

/** Bytes that a base64 text decodes to, after checking its alphabet and length. */
function base64Bytes(field: string, value: unknown): number {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
    return fail(field, typeof value === 'string' ? `${value.slice(0, 20)}…` : value, 'must be base64 text');
  }
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** A `{ shape, data }` float32 tensor record: the data holds exactly prod(shape) values. */
function tensorRecord(field: string, value: unknown): void {
  const r = record(field, value);
  const dims = shape(`${field}.shape`, r.shape);
  const expected = 4 * dims.reduce((a, b) => a * b, 1);
  const bytes = base64Bytes(`${field}.data`, r.data);
  if (bytes !== expected) {
    fail(`${field}.data`, `${bytes} bytes`, `must hold ${expected} bytes (float32 × [${dims.join(', ')}])`);
  }
}

/** The encoding of `encodeState`: tensors, typed arrays and non-finite numbers in `$` records. */
function stateTree(field: string, value: unknown): void {
  if (value === null || ['number', 'string', 'boolean'].includes(typeof value)) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      stateTree(`${field}[${i}]`, v);
    });
    return;
  }
  const r = record(field, value);
  const keys = Object.keys(r);
  const key = keys[0] as string;
  if (keys.length === 1 && key === '$tensor') {
    tensorRecord(`${field}.$tensor`, r.$tensor);
    return;
  }
  if (keys.length === 1 && key === '$number') {
    const n = typeof r.$number === 'string' ? Number(r.$number) : 0;
    if (Number.isFinite(n)) fail(`${field}.$number`, r.$number, "must be 'NaN', 'Infinity' or '-Infinity'");
    return;
  }
  const size = keys.length === 1 ? TYPED_BYTES[key] : undefined;
  if (size !== undefined) {
    const bytes = base64Bytes(`${field}.${key}`, r[key]);
    if (bytes % size !== 0) fail(`${field}.${key}`, `${bytes} bytes`, `must hold a multiple of ${size} bytes`);
    return;
  }
  for (const k of keys) stateTree(`${field}.${k}`, r[k]);
}

function testRecord(field: string, value: unknown): void {
  const r = record(field, value);
  count(`${field}.step`, r.step);
  count(`${field}.examplesSeen`, r.examplesSeen);
  numberOrNull(`${field}.loss`, r.loss);
  if (r.accuracy !== undefined && r.accuracy !== null) finite(`${field}.accuracy`, r.accuracy);
}

function stepReport(field: string, value: unknown): void {
  const r = record(field, value);
  count(`${field}.step`, r.step);
  count(`${field}.batchSize`, r.batchSize);
  count(`${field}.examplesSeen`, r.examplesSeen);
  numberOrNull(`${field}.loss`, r.loss);
  numberOrNull(`${field}.learningRate`, r.learningRate);
}

/**
 * Checks every field of `value` as a checkpoint and returns it typed. Does not compare it
 * with a model, an algorithm or a dataset (`restoreCheckpoint` does).
 * @throws InvalidCheckpointError naming the first bad field
 */
export function validateCheckpoint(value: unknown): Checkpoint {
  const c = record('resume', value);
  if (c.format !== 'abs-checkpoint-v1') fail('resume.format', c.format, "must be 'abs-checkpoint-v1'");
  if (typeof c.algorithm !== 'string') fail('resume.algorithm', c.algorithm, 'must be a string');
  record('resume.config', c.config);
  count('resume.step', c.step);
  count('resume.examplesSeen', c.examplesSeen);
  if (finite('resume.wallMs', c.wallMs) < 0) fail('resume.wallMs', c.wallMs, 'must be ≥ 0');
  list('resume.parameters', c.parameters).forEach((p, i) => {
    tensorRecord(`resume.parameters[${i}]`, p);
  });
  if (c.buffers !== undefined) {
    list('resume.buffers', c.buffers).forEach((b, i) => {
      tensorRecord(`resume.buffers[${i}]`, b);
    });
  }
  if (c.dataset !== undefined) {
    const d = record('resume.dataset', c.dataset);
    count('resume.dataset.size', d.size);
    shape('resume.dataset.featureShape', d.featureShape);
    if (typeof d.fingerprint !== 'string') fail('resume.dataset.fingerprint', d.fingerprint, 'must be a string');
  }
  stateTree('resume.state', record('resume.state', c.state));
  const trace = list('resume.trace', c.trace);
  if (trace.length !== c.step)
    fail('resume.trace', `${trace.length} reports`, `must hold one report per step (${c.step})`);
  trace.forEach((r, i) => {
    stepReport(`resume.trace[${i}]`, r);
  });
  list('resume.tests', c.tests).forEach((t, i) => {
    testRecord(`resume.tests[${i}]`, t);
  });
  return value as Checkpoint;
}
