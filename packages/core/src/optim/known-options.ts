/**
 * Rejects option keys a factory does not know (a misspelt `weightdecay`, or `bsMax` given to
 * `fixedBatch`), as every algorithm package does: silently ignoring them would run with the
 * default instead of what the user meant.
 */
import type { OptionChecker } from '../config/validate';

/**
 * Throws `InvalidHyperParameterError` for the first key of `options` not in `known`, e.g.
 * `sgd: options must be made of learningRate, weightDecay, got "weightdecay"`.
 */
export function rejectUnknownOptions(c: OptionChecker, options: unknown, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) return;
  for (const key of Object.keys(options)) {
    c.check(known.includes(key), 'options', key, `made of ${known.join(', ')}`);
  }
}
