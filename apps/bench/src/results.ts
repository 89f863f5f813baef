/**
 * The bench's output format, `results.json`. Stable: other tools read it. The schema below
 * (`RESULTS_SCHEMA`, JSON Schema draft 2020-12) is the contract; `validateResults` checks a
 * document against it without dependencies, and the end-to-end test runs it on a real tour.
 */
import type { Json } from '@abs/core';

export const RESULTS_VERSION = 1;

export interface MachineInfo {
  readonly platform: string;
  readonly arch: string;
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
}

export interface TracePoint {
  readonly step: number;
  readonly examplesSeen: number;
  readonly loss: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly wallMs: number;
  /** Line searches: the step size in force (LABPAL: s̄ in NSGD mode, λ̄ in SGD mode; PAL: s). */
  readonly stepSize?: number | null;
  /** PAL: −b/(2a), the fitted minimum before α and the clip (null without one). */
  readonly rawStep?: number | null;
}

/** A LABPAL measurement window that ended: what it fitted and what it did with it. */
export interface LineSearchEvent {
  readonly kind: 'line-search';
  readonly step: number;
  readonly examplesSeen: number;
  readonly accepted: boolean;
  /** −b/(2a) before the clip and α; null when the window aborted or the fit had no minimum. */
  readonly rawStep: number | null;
  /** The window's own step size s (before averaging); null when not accepted. */
  readonly stepSize: number | null;
  /** The cap s_max the clip used, and whether it fired (the cap grows after a clip in `reference`). */
  readonly maxStepSize: number;
  readonly clipped: boolean;
  readonly reason: string | null;
}

/** An Arbiter scheduling decision at an epoch end. */
export interface BatchSizeDecisionEvent {
  readonly kind: 'batch-size-decision';
  readonly step: number;
  readonly examplesSeen: number;
  /** 0-based epoch that ended. */
  readonly epoch: number;
  readonly nextBatchSize: number;
  /** The candidate batch sizes and their mixture weights π at this step. */
  readonly candidates: readonly number[];
  readonly weights: readonly number[];
  /** j*, when this epoch was a decision epoch. */
  readonly chosenIndex: number | null;
}

/** Rare per-run decisions, kept in full (the trace is thinned). */
export type RunEvent = LineSearchEvent | BatchSizeDecisionEvent;

export interface TestPoint {
  readonly step: number;
  readonly examplesSeen: number;
  readonly loss: number;
  readonly accuracy: number | null;
  /** Loss over the whole training set at this point, when the suite asks for it. */
  readonly trainLoss: number | null;
}

/** A sentence a suite concludes from its runs, with the numbers it rests on. */
export interface Finding {
  readonly suite: string;
  readonly text: string;
}

export interface RunRecord {
  readonly suite: string;
  readonly algorithm: string;
  /** A label distinguishing runs of one algorithm, e.g. `'sgd bs=128'`. */
  readonly label: string;
  readonly backend: string;
  readonly dataset: string;
  readonly model: string;
  readonly seed: number;
  readonly config: Json;
  readonly trace: readonly TracePoint[];
  /** Line-search windows and batch-size decisions, unthinned (absent in files written before them). */
  readonly events?: readonly RunEvent[];
  readonly tests: readonly TestPoint[];
  readonly final: {
    readonly trainLoss: number;
    readonly testAccuracy: number | null;
    readonly testLoss: number | null;
    readonly examplesSeen: number;
    readonly steps: number;
    readonly wallMs: number;
    readonly msPerStep: number;
  };
  /** Set when the run stopped early, e.g. on a non-finite loss. */
  readonly error?: string;
}

export interface SpeedRecord {
  readonly backend: string;
  readonly model: string;
  readonly batchSize: number;
  /**
   * `'plain'` (loss + gradient + SGD update), `'moments'`, `'norms'` (per-example gradient
   * norms), `'gram'`, `'gram+weights'`, `'forward'`, `'matmul'`, or the fused plain step.
   */
  readonly measure: string;
  readonly msPerStep: number;
  readonly gflops: number | null;
  readonly repetitions: number;
  /** Extra memory the measure needs beyond the plain step, in bytes, where it is meaningful. */
  readonly memoryBytes: number | null;
}

export interface EquivalenceRecord {
  readonly backend: string;
  readonly reference: string;
  readonly model: string;
  readonly quantity: string;
  readonly maxRelativeDifference: number;
  readonly tolerance: number;
  readonly pass: boolean;
}

export interface SkipRecord {
  readonly backend: string;
  readonly reason: string;
}

export interface BenchResults {
  readonly version: number;
  readonly createdAt: string;
  readonly machine: MachineInfo;
  readonly command: readonly string[];
  readonly runs: RunRecord[];
  readonly speed: SpeedRecord[];
  readonly equivalence: EquivalenceRecord[];
  readonly skipped: SkipRecord[];
  readonly findings: Finding[];
}

const num = { type: 'number' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const str = { type: 'string' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const object = (properties: Record<string, unknown>, optional: string[] = []) => ({
  type: 'object',
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});

/** JSON Schema of `results.json` (non-finite numbers are written as null). */
export const RESULTS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'abs bench results',
  ...object({
    version: { const: RESULTS_VERSION },
    createdAt: str,
    machine: object({ platform: str, arch: str, cpus: int, cpuModel: str, memoryGiB: num, node: str }),
    command: { type: 'array', items: str },
    runs: {
      type: 'array',
      items: object(
        {
          suite: str,
          algorithm: str,
          label: str,
          backend: str,
          dataset: str,
          model: str,
          seed: int,
          config: { type: 'object' },
          trace: {
            type: 'array',
            items: object(
              {
                step: int,
                examplesSeen: int,
                loss: nullableNumber,
                batchSize: int,
                learningRate: nullableNumber,
                wallMs: num,
                stepSize: nullableNumber,
                rawStep: nullableNumber,
              },
              ['stepSize', 'rawStep'],
            ),
          },
          events: {
            type: 'array',
            items: object(
              {
                kind: { enum: ['line-search', 'batch-size-decision'] },
                step: int,
                examplesSeen: int,
                accepted: { type: 'boolean' },
                rawStep: nullableNumber,
                stepSize: nullableNumber,
                maxStepSize: nullableNumber,
                clipped: { type: 'boolean' },
                reason: { type: ['string', 'null'] },
                epoch: int,
                nextBatchSize: int,
                candidates: { type: 'array', items: int },
                weights: { type: 'array', items: nullableNumber },
                chosenIndex: { type: ['integer', 'null'] },
              },
              [
                'accepted',
                'rawStep',
                'stepSize',
                'maxStepSize',
                'clipped',
                'reason',
                'epoch',
                'nextBatchSize',
                'candidates',
                'weights',
                'chosenIndex',
              ],
            ),
          },
          tests: {
            type: 'array',
            items: object({
              step: int,
              examplesSeen: int,
              loss: nullableNumber,
              accuracy: nullableNumber,
              trainLoss: nullableNumber,
            }),
          },
          final: object({
            trainLoss: nullableNumber,
            testAccuracy: nullableNumber,
            testLoss: nullableNumber,
            examplesSeen: int,
            steps: int,
            wallMs: num,
            msPerStep: nullableNumber,
          }),
          error: str,
        },
        ['error', 'events'],
      ),
    },
    speed: {
      type: 'array',
      items: object({
        backend: str,
        model: str,
        batchSize: int,
        measure: str,
        msPerStep: nullableNumber,
        gflops: nullableNumber,
        repetitions: int,
        memoryBytes: nullableNumber,
      }),
    },
    equivalence: {
      type: 'array',
      items: object({
        backend: str,
        reference: str,
        model: str,
        quantity: str,
        maxRelativeDifference: nullableNumber,
        tolerance: num,
        pass: { type: 'boolean' },
      }),
    },
    skipped: { type: 'array', items: object({ backend: str, reason: str }) },
    findings: { type: 'array', items: object({ suite: str, text: str }) },
  }),
} as const;

type Schema = {
  type?: string | readonly string[];
  const?: unknown;
  enum?: readonly unknown[];
  required?: readonly string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  minimum?: number;
};

function typeOk(type: string, value: unknown): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isSafeInteger(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

/** Validates against `RESULTS_SCHEMA`; returns the list of violations (empty when valid). */
export function validateResults(
  document: unknown,
  schema: Schema = RESULTS_SCHEMA as unknown as Schema,
  path = '$',
): string[] {
  const errors: string[] = [];
  if (schema.const !== undefined && document !== schema.const)
    errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum !== undefined && !schema.enum.includes(document))
    errors.push(`${path}: expected one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  if (schema.type !== undefined) {
    const types = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((t) => typeOk(t, document))) {
      errors.push(`${path}: expected ${types.join(' | ')}, got ${JSON.stringify(document)?.slice(0, 40)}`);
      return errors;
    }
  }
  if (schema.minimum !== undefined && typeof document === 'number' && document < schema.minimum) {
    errors.push(`${path}: ${document} < ${schema.minimum}`);
  }
  if (schema.properties && typeof document === 'object' && document !== null) {
    const record = document as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${path}.${key}: missing`);
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (key in record) errors.push(...validateResults(record[key], sub, `${path}.${key}`));
    }
  }
  if (schema.items && Array.isArray(document)) {
    document.forEach((item, i) => errors.push(...validateResults(item, schema.items as Schema, `${path}[${i}]`)));
  }
  return errors;
}

/** JSON.stringify replacer: non-finite numbers become null (JSON has no NaN). */
export const finiteOrNull = (_key: string, value: unknown) =>
  typeof value === 'number' && !Number.isFinite(value) ? null : value;
