import type { StepReport } from '@abs/core';
import { describe, expect, it } from 'vitest';
import type { SpeedRecord } from '../results';
import { labpalPerTrainingCall, type StepCostRecord } from '../suites/speed-table';
import { stepCostTables } from './step-cost-table';

const row = (backend: string, algorithm: string, base: StepCostRecord['base'], batchSize: number, ms: number) =>
  ({
    backend,
    model: 'mlp 784-512-10',
    batchSize,
    measure: `step: ${algorithm}`,
    msPerStep: ms,
    gflops: null,
    repetitions: 3,
    memoryBytes: null,
    algorithm,
    base,
    ratio: ms / (base === 'sgd' ? 4 : 8),
  }) satisfies StepCostRecord;

describe('the step table in the report', () => {
  it('one table per backend: algorithm × batch size, ms and ratio, with the target', () => {
    // A capability measure of the same suite: not a row of the step table.
    const plain: SpeedRecord = {
      backend: 'onnx',
      model: 'mlp 784-512-10',
      batchSize: 128,
      measure: 'plain',
      msPerStep: 1,
      gflops: null,
      repetitions: 3,
      memoryBytes: null,
    };
    const tables = stepCostTables([
      plain,
      row('onnx', 'sgd', 'sgd', 16, 4),
      row('onnx', 'sgd', 'sgd', 128, 12),
      row('onnx', 'pal', 'sgd', 16, 6),
      row('tfjs-wasm', 'dba-adam', 'adam', 16, 10),
    ]);
    expect(tables.map((t) => t.backend)).toEqual(['onnx', 'tfjs-wasm']);
    expect(tables[0]?.headers).toEqual(['algorithm', 'base', 'batch 16', 'batch 128', 'target']);
    // 6 ms over the sgd row's 4 ms: 1.50×; pal has no batch-128 row.
    expect(tables[0]?.rows).toEqual([
      ['sgd', 'plain', '4.00 ms (1.00×)', '12.0 ms (3.00×)', ''],
      ['pal', 'sgd', '6.00 ms (1.50×)', '–', '≤ 1.3×'],
    ]);
    expect(tables[1]?.rows).toEqual([['dba-adam', 'adam', '10.0 ms (1.25×)', '≤ 1.3×']]);
  });
});

describe("LABPAL's amortised training call", () => {
  const call = (phase: 'train' | 'measure', ms: number) => ({ ms, report: { phase } as unknown as StepReport });
  it('is the mean training call plus one window spread over K = 1000 training calls', () => {
    // Windows of 20 + 5 + 75 = 100 ms and 300 ms: 200 ms per window, 0.2 ms per training call; trains average 3 ms.
    const timed = [
      call('train', 2),
      call('measure', 20),
      call('measure', 5),
      call('measure', 75),
      call('train', 4),
      call('measure', 300),
      call('train', 3),
    ];
    expect(labpalPerTrainingCall(timed)).toBeCloseTo(3 + 0.2, 12);
  });
});
