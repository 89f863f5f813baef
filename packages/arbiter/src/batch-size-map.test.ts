import { describe, expect, it } from 'vitest';
import { type BatchSizeRange, batchSizeOf, logitOfBatchSize, sigmoid } from './batch-size-map';

const corrected: BatchSizeRange = { sMin: 8, sMax: 512, fidelity: 'corrected' };
const reference: BatchSizeRange = { ...corrected, fidelity: 'reference' };
const roundTrip = (b: number, range: BatchSizeRange) => batchSizeOf(logitOfBatchSize(b, range), range);

describe('A1. batch-size map (s_min = 8, s_max = 512)', () => {
  it('B(0) = 260', () => {
    // σ(0) = 1/2: ⌊504·0.5 + 8⌋ = ⌊260⌋ = 260, in both floor modes.
    expect(batchSizeOf(0, corrected)).toBe(260);
    expect(batchSizeOf(0, reference)).toBe(260);
  });

  it('logitB(128) = −1.1631508 and 128 round-trips', () => {
    // p = (128 − 8)/504 = 0.238095…; ln p − ln(1 − p) = −1.435085 − (−0.271934) = −1.1631508.
    expect(logitOfBatchSize(128, corrected)).toBeCloseTo(-1.1631508, 7);
    expect(roundTrip(128, reference)).toBe(128);
    expect(roundTrip(128, corrected)).toBe(128);
  });

  it('64 → 63 in float64 with the reference floor (the floor hazard), 64 with the corrected one', () => {
    // 504·σ(logitB(64)) lands a hair below 56, so ⌊·⌋ drops to 55 + 8.
    expect(roundTrip(64, reference)).toBe(63);
    expect(roundTrip(64, corrected)).toBe(64);
  });

  it('ln(p) − ln(1 − p) is what the map computes (ln(p/(1 − p)) rounds differently)', () => {
    const p = (64 - 8) / 504;
    expect(logitOfBatchSize(64, corrected)).toBe(Math.log(p) - Math.log(1 - p));
  });

  it('512 → 511 because of the nudge; 8 → 8', () => {
    // logitB nudges 512 to 511.999, so B = ⌊511.999…⌋ = 511; 8 is nudged up to 8.001 → 8.
    for (const range of [reference, corrected]) {
      expect(roundTrip(512, range)).toBe(511);
      expect(roundTrip(8, range)).toBe(8);
    }
  });

  it('derived: with the corrected floor every integer in [8, 511] round-trips', () => {
    const broken = [];
    for (let b = 8; b <= 511; b++) if (roundTrip(b, corrected) !== b) broken.push(b);
    expect(broken).toEqual([]);
  });

  it('about one integer in seven fails with the reference floor (73 with V8’s Math.log/Math.exp)', () => {
    // The exact set depends on the math library (README “Batch-size map”); this pins V8's, which Node runs.
    let broken = 0;
    for (let b = 8; b <= 512; b++) if (roundTrip(b, reference) !== b) broken++;
    expect(broken).toBe(73);
  });

  it('reaches s_max only at σ = 1 and s_min at σ = 0', () => {
    expect(batchSizeOf(Number.POSITIVE_INFINITY, corrected)).toBe(512);
    expect(batchSizeOf(Number.NEGATIVE_INFINITY, corrected)).toBe(8);
    expect(sigmoid(0)).toBe(0.5);
  });
});
