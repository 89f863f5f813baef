/**
 * Arbiter's warm-up (README “Warm-up”) did not bring the agent's mixed batch
 * size within tolerance of its target. The reference fails an assertion instead.
 */
import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.WarmupNotConvergedError');

/**
 * @example
 * new WarmupNotConvergedError({ target: 128, lastBatchSize: 260, iterations: 10000, tolerance: 2 }).message;
 * // 'arbiter: warm-up did not reach batch size 128 within 10000 iterations (last B(l_α) = 260, tolerance 2)'
 */
export class WarmupNotConvergedError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.arbiter.warmup-not-converged';
  /** The batch size the agent was warmed up to. */
  readonly target: number;
  /** B(l_α) of the last warm-up iteration. */
  readonly lastBatchSize: number;
  readonly iterations: number;

  constructor(options: {
    target: number;
    lastBatchSize: number;
    iterations: number;
    tolerance: number;
    cause?: unknown;
  }) {
    super(
      `arbiter: warm-up did not reach batch size ${options.target} within ${options.iterations} iterations ` +
        `(last B(l_α) = ${options.lastBatchSize}, tolerance ${options.tolerance})`,
      { cause: options.cause },
    );
    this.target = options.target;
    this.lastBatchSize = options.lastBatchSize;
    this.iterations = options.iterations;
  }

  static override isInstance(error: unknown): error is WarmupNotConvergedError {
    return hasMarker(error, marker);
  }
}
