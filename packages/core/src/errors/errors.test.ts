import { describe, expect, it } from 'vitest';
import { checker } from '../config/validate';
import { AbsError } from './abs-error';
import { BackendUnavailableError } from './backend-unavailable-error';
import { BatchTooSmallError } from './batch-too-small-error';
import { DisposedModelError } from './disposed-model-error';
import { EmptyBatchError } from './empty-batch-error';
import { InvalidArgumentError } from './invalid-argument-error';
import { InvalidCheckpointError } from './invalid-checkpoint-error';
import { InvalidHyperParameterError } from './invalid-hyper-parameter-error';
import { NonFiniteError } from './non-finite-error';
import { ShapeMismatchError } from './shape-mismatch-error';
import { TrainingError } from './training-error';
import { UnsupportedCapabilityError } from './unsupported-capability-error';

describe('errors', () => {
  it('carry names, codes and messages that say what was wrong', () => {
    const cases: [AbsError, string, string][] = [
      [
        new InvalidHyperParameterError({
          owner: 'cabs',
          parameter: 'bsMin',
          value: 1,
          rule: 'an integer in [2, bsMax]',
        }),
        'abs.invalid-hyper-parameter',
        'cabs: bsMin must be an integer in [2, bsMax], got 1',
      ],
      [
        new ShapeMismatchError({ what: 'features', expected: [2, 784], actual: [2, 783] }),
        'abs.shape-mismatch',
        'features: expected shape [2, 784], got [2, 783]',
      ],
      [
        new NonFiniteError({ quantity: 'loss', value: Number.NaN, step: 17 }),
        'abs.non-finite',
        'loss is NaN at step 17',
      ],
      [
        new UnsupportedCapabilityError({ capability: 'gram', backend: 'x' }),
        'abs.unsupported-capability',
        "backend 'x' does not support capability 'gram'",
      ],
      [
        new BackendUnavailableError({ backend: 'onnx', reason: 'install onnxruntime-node' }),
        'abs.backend-unavailable',
        "backend 'onnx' is unavailable: install onnxruntime-node",
      ],
      [new EmptyBatchError({ where: 'cabs' }), 'abs.empty-batch', 'cabs: the batch is empty (0 examples)'],
      [
        new BatchTooSmallError({ where: 'cabs', required: 2, actual: 1, reason: 'needs a variance' }),
        'abs.batch-too-small',
        'cabs: needs a variance (got 1, need ≥ 2)',
      ],
      [
        new TrainingError({ step: 3, checkpoint: null, cause: new Error('boom') }),
        'abs.training-stopped',
        'training stopped at step 3: boom',
      ],
      [
        new DisposedModelError({ backend: 'js', method: 'evaluate' }),
        'abs.disposed-model',
        'js.evaluate: the model was disposed; compile a new one',
      ],
      [
        new InvalidCheckpointError({ field: 'resume.step', value: -1, problem: 'must be an integer ≥ 0, got -1' }),
        'abs.invalid-checkpoint',
        'resume.step: must be an integer ≥ 0, got -1',
      ],
    ];
    for (const [error, code, message] of cases) {
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.name).toBe(error.constructor.name);
      expect(AbsError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
    }
  });

  it('isInstance follows the class hierarchy and works on structural copies (another bundle)', () => {
    const error = new InvalidHyperParameterError({
      owner: 'sgd',
      parameter: 'learningRate',
      value: -1,
      rule: 'a finite number > 0',
    });
    expect(InvalidHyperParameterError.isInstance(error)).toBe(true);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(NonFiniteError.isInstance(error)).toBe(false);
    expect(error.parameter).toBe('learningRate');
    const corrupted = new InvalidCheckpointError({ field: 'resume.state', value: 1, problem: 'must be an object' });
    expect(InvalidArgumentError.isInstance(corrupted)).toBe(true);
    expect(corrupted.field).toBe('resume.state');
    // A copy made by another copy of the package carries the same registered symbols.
    const foreign = Object.assign(Object.create(null), {
      [Symbol.for('abs.error')]: true,
      [Symbol.for('abs.error.NonFiniteError')]: true,
    });
    expect(NonFiniteError.isInstance(foreign)).toBe(true);
    expect(AbsError.isInstance(new Error('plain'))).toBe(false);
    expect(AbsError.isInstance(null)).toBe(false);
  });
});

describe('checker', () => {
  const c = checker('demo');
  it.each([
    [() => c.number('lr', -0.1, { gt: 0 }), 'demo: lr must be a finite number > 0, got -0.1'],
    [() => c.number('lr', Number.NaN), 'demo: lr must be a finite number, got NaN'],
    [() => c.number('mu', 1, { gte: 0, lt: 1 }), 'demo: mu must be a finite number in [0, 1), got 1'],
    [
      () => c.integer('bsMin', 1, { gte: 2, lte: 100, names: { lte: 'bsMax' } }),
      'demo: bsMin must be an integer in [2, bsMax], got 1',
    ],
    [() => c.integer('n', 2.5), 'demo: n must be an integer, got 2.5'],
    [() => c.integer('n', '3'), 'demo: n must be an integer, got "3"'],
    [() => c.oneOf('mode', 'x', ['a', 'b']), "demo: mode must be one of 'a' | 'b', got \"x\""],
    [() => c.boolean('flag', 1), 'demo: flag must be a boolean, got 1'],
    [() => c.check(false, 'pair', [1, 2], 'equal'), 'demo: pair must be equal, got [1,2]'],
  ])('message %#', (run, message) => {
    expect(run).toThrow(message);
  });
  it('returns valid values unchanged', () => {
    expect(c.number('x', 0.5, { gt: 0, lte: 1 })).toBe(0.5);
    expect(c.integer('x', 4, { gte: 4 })).toBe(4);
    expect(c.oneOf('x', 'b', ['a', 'b'])).toBe('b');
  });
});
