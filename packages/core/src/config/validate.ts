/**
 * Validation helpers for `resolve-*-config` functions. Each returns the checked value
 * or throws an `InvalidHyperParameterError` whose message says owner, option, rule and value.
 */
import { InvalidHyperParameterError } from '../errors/invalid-hyper-parameter-error';

/** Names the component whose options are being checked, e.g. `checker('cabs')`. */
export interface OptionChecker {
  readonly owner: string;
  /** Throws unless `ok`; `rule` completes "<parameter> must be …". */
  check(ok: boolean, parameter: string, value: unknown, rule: string): void;
  /** A finite number, optionally bounded: `number('learningRate', v, { gt: 0 })`. */
  number(parameter: string, value: unknown, bounds?: NumberBounds): number;
  /** An integer, optionally bounded. */
  integer(parameter: string, value: unknown, bounds?: NumberBounds): number;
  /** One of a fixed set of strings. */
  oneOf<const C extends string>(parameter: string, value: unknown, choices: readonly C[]): C;
  /** A boolean. */
  boolean(parameter: string, value: unknown): boolean;
}

export interface NumberBounds {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
  /** How the bound is named in the message when it is another option, e.g. `{ lte: 'bsMax' }`. */
  readonly names?: { readonly gt?: string; readonly gte?: string; readonly lt?: string; readonly lte?: string };
}

function describeBounds(kind: string, b: NumberBounds): string {
  const n = b.names ?? {};
  const lower = b.gte !== undefined ? `[${n.gte ?? b.gte}` : b.gt !== undefined ? `(${n.gt ?? b.gt}` : undefined;
  const upper = b.lte !== undefined ? `${n.lte ?? b.lte}]` : b.lt !== undefined ? `${n.lt ?? b.lt})` : undefined;
  if (lower && upper) return `${kind} in ${lower}, ${upper}`;
  if (lower) return `${kind} ${lower.startsWith('[') ? '≥' : '>'} ${lower.slice(1)}`;
  if (upper) return `${kind} ${upper.endsWith(']') ? '≤' : '<'} ${upper.slice(0, -1)}`;
  return kind;
}

function within(x: number, b: NumberBounds): boolean {
  return (
    (b.gt === undefined || x > b.gt) &&
    (b.gte === undefined || x >= b.gte) &&
    (b.lt === undefined || x < b.lt) &&
    (b.lte === undefined || x <= b.lte)
  );
}

export function checker(owner: string): OptionChecker {
  const fail = (parameter: string, value: unknown, rule: string): never => {
    throw new InvalidHyperParameterError({ owner, parameter, value, rule });
  };
  return {
    owner,
    check(ok, parameter, value, rule) {
      if (!ok) fail(parameter, value, rule);
    },
    number(parameter, value, bounds = {}) {
      const rule = describeBounds('a finite number', bounds);
      if (typeof value !== 'number' || !Number.isFinite(value) || !within(value, bounds)) {
        return fail(parameter, value, rule);
      }
      return value;
    },
    integer(parameter, value, bounds = {}) {
      const rule = describeBounds('an integer', bounds);
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || !within(value, bounds)) {
        return fail(parameter, value, rule);
      }
      return value;
    },
    oneOf(parameter, value, choices) {
      if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
        return fail(parameter, value, `one of ${choices.map((c) => `'${c}'`).join(' | ')}`);
      }
      return value as (typeof choices)[number];
    },
    boolean(parameter, value) {
      if (typeof value !== 'boolean') return fail(parameter, value, 'a boolean');
      return value;
    },
  };
}
