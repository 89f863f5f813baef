import { describe, expect, it } from 'vitest';
import { checkPredictInput } from './check-batch';

describe('checkPredictInput', () => {
  const x = new Float32Array(6);
  it('infers the count from the length when it is a whole number of examples', () => {
    expect(checkPredictInput(x, undefined, 3, 'js.predict')).toBe(2);
    expect(checkPredictInput(x, 2, 3, 'js.predict')).toBe(2);
    expect(checkPredictInput(new Float32Array(0), undefined, 3, 'js.predict')).toBe(0);
  });
  it('names what is wrong otherwise', () => {
    expect(() => checkPredictInput(x, undefined, 4, 'js.predict')).toThrow(
      'js.predict features (6 values are not a whole number of 4-value examples; pass count)',
    );
    expect(() => checkPredictInput(x, 3, 3, 'js.predict')).toThrow(
      'js.predict features: expected shape [3, 3], got [6]',
    );
    expect(() => checkPredictInput(x, -1, 3, 'js.predict')).toThrow('js.predict: count must be an integer ≥ 0, got -1');
    expect(() => checkPredictInput([1, 2, 3], undefined, 3, 'js.predict')).toThrow(
      'js.predict: features must be a Float32Array of examples × 3 values, got Array',
    );
  });
});
