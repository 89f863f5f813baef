/**
 * The inner optimiser of Arbiter's third mode (README “Modes”):
 * `innerLrHypergradient: { kind, beta }` turns the configured inner optimiser into SGD-HD
 * (from heavy-ball momentum or sgd) or Adam-HD (from adam), keeping its learning rate,
 * momentum or betas and weight decay.
 */
import { adam, checker, type Optimizer } from '@abs/core';
import { adamHd } from './adam-hd';
import { type HypergradientOptimizer, isHypergradientOptimizer } from './hypergradient-optimizer';
import { sgdHd } from './sgd-hd';

/** SGD-HD or Adam-HD with hypergradient step β_hd = `beta` (> 0). */
export interface HypergradientSetting {
  readonly kind: 'sgd' | 'adam';
  readonly beta: number;
}

/**
 * @param value the `innerLrHypergradient` option
 * @param inner the inner optimiser (given, or the preset's default) and whether it was given
 * @example
 * resolveHypergradient({ kind: 'sgd', beta: 1e-3 }, { base: momentum({ learningRate: 0.1 }), given:
 * true })?.optimizer.name; // 'sgd-hd'
 */
export function resolveHypergradient(
  value: HypergradientSetting | false | undefined,
  inner: { readonly base: Optimizer; readonly given: boolean },
): { optimizer: HypergradientOptimizer; setting: HypergradientSetting } | undefined {
  const c = checker('arbiter');
  if (value === undefined || value === false) return undefined;
  c.check(typeof value === 'object' && value !== null, 'innerLrHypergradient', value, 'false or { kind, beta }');
  const kind = c.oneOf('innerLrHypergradient.kind', value.kind, ['sgd', 'adam']);
  const beta = c.number('innerLrHypergradient.beta', value.beta, { gt: 0 });
  c.check(
    !isHypergradientOptimizer(inner.base),
    'innerLrHypergradient',
    value,
    `unset when innerOptimizer is already a hypergradient optimizer ('${inner.base.name}')`,
  );
  // Adam-HD without an explicit innerOptimizer starts from Adam's usual η = 1e-3 (wd 5e-4).
  const source = kind === 'adam' && !inner.given ? adam({ learningRate: 1e-3, weightDecay: 5e-4 }) : inner.base;
  const { name, config } = source;
  const num = (key: string, fallback: number) => (typeof config[key] === 'number' ? (config[key] as number) : fallback);
  if (kind === 'sgd') {
    c.check(
      (name === 'momentum' && config.nesterov !== true) || name === 'sgd',
      'innerLrHypergradient',
      value,
      `used with a heavy-ball momentum or sgd innerOptimizer for kind 'sgd', not '${name}'`,
    );
    const optimizer = sgdHd({
      learningRate: source.learningRate,
      hypergradientBeta: beta,
      momentum: name === 'sgd' ? 0 : num('momentum', 0.9),
      weightDecay: num('weightDecay', 0),
    });
    return { optimizer, setting: { kind, beta } };
  }
  c.check(
    name === 'adam',
    'innerLrHypergradient',
    value,
    `used with an adam innerOptimizer for kind 'adam', not '${name}'`,
  );
  const optimizer = adamHd({
    learningRate: source.learningRate,
    hypergradientBeta: beta,
    beta1: num('beta1', 0.9),
    beta2: num('beta2', 0.999),
    epsilon: num('epsilon', 1e-8),
    weightDecay: num('weightDecay', 0),
  });
  return { optimizer, setting: { kind, beta } };
}
