import { hasMarker } from './abs-error';
import { InvalidArgumentError } from './invalid-argument-error';

const marker = Symbol.for('abs.error.InvalidHyperParameterError');

/**
 * A configuration option is invalid. The message names the owner, the option,
 * the rule and the value: `cabs: bsMin must be an integer in [2, bsMax], got 1`.
 */
export class InvalidHyperParameterError extends InvalidArgumentError {
  protected readonly [marker] = true;
  override readonly code: string = 'abs.invalid-hyper-parameter';
  /** The factory or component whose option is wrong, e.g. `'cabs'`. */
  readonly owner: string;
  /** The rule the value breaks, e.g. `'an integer in [2, bsMax]'`. */
  readonly rule: string;

  constructor(options: { owner: string; parameter: string; value: unknown; rule: string }) {
    super({
      argument: options.parameter,
      value: options.value,
      message: `${options.owner}: ${options.parameter} must be ${options.rule}, got ${formatValue(options.value)}`,
    });
    this.owner = options.owner;
    this.rule = options.rule;
  }

  /** The option's name (same as `argument`). */
  get parameter(): string {
    return this.argument;
  }

  static override isInstance(error: unknown): error is InvalidHyperParameterError {
    return hasMarker(error, marker);
  }
}

/** Short, unambiguous rendering of a bad value for error messages. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
