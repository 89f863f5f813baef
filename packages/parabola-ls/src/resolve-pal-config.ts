/**
 * Validates `pal(options)` once, at creation, and applies the PyTorch reference's defaults
 * (README “PAL”). `batchSize` is a project addition: PAL takes
 * whatever batch the training loop hands it, here the algorithm draws it.
 */
import { checker } from '@abs/core';
import { checkKnownKeys, type Fidelity } from './resolve-labpal-config';

export interface PalOptions {
  /** Examples per step (default 128). */
  readonly batchSize?: number;
  /** μ, the probe distance along the normalised direction (default 1). */
  readonly measuringStep?: number;
  /** s_max, applied after α (default 3.16). */
  readonly maxStepSize?: number;
  /** β in [0, 1): d ← β·d_prev + g (default 0.4). */
  readonly directionFactor?: number;
  /** α, multiplies the parabola's minimum (default 1/0.6 ≈ 1.667). */
  readonly updateStepAdaptation?: number;
  /** ε, the norm floor (default 1e-10). */
  readonly epsilon?: number;
  /** b = −(g·d)/‖d‖ (true, default) or −‖d‖. */
  readonly exactDirectionalDerivative?: boolean;
  /** Only changes what a non-finite probe does (default `'exact'`). */
  readonly fidelity?: Fidelity;
}

export type ResolvedPalConfig = {
  readonly batchSize: number;
  readonly measuringStep: number;
  readonly maxStepSize: number;
  readonly directionFactor: number;
  readonly updateStepAdaptation: number;
  readonly epsilon: number;
  readonly exactDirectionalDerivative: boolean;
  readonly fidelity: Fidelity;
};

const KNOWN = [
  'batchSize',
  'measuringStep',
  'maxStepSize',
  'directionFactor',
  'updateStepAdaptation',
  'epsilon',
  'exactDirectionalDerivative',
  'fidelity',
];

/**
 * @param options see `PalOptions`
 * @throws InvalidHyperParameterError naming the option, the rule and the value
 * @example
 * resolvePalConfig({}).maxStepSize; // 3.16
 * @see README “PAL”
 */
export function resolvePalConfig(options: PalOptions = {}): ResolvedPalConfig {
  const c = checker('pal');
  checkKnownKeys(c, options, KNOWN);
  return {
    batchSize: c.integer('batchSize', options.batchSize ?? 128, { gte: 1 }),
    measuringStep: c.number('measuringStep', options.measuringStep ?? 1, { gt: 0 }),
    maxStepSize: c.number('maxStepSize', options.maxStepSize ?? 3.16, { gt: 0 }),
    directionFactor: c.number('directionFactor', options.directionFactor ?? 0.4, { gte: 0, lt: 1 }),
    updateStepAdaptation: c.number('updateStepAdaptation', options.updateStepAdaptation ?? 1 / 0.6, { gt: 0 }),
    epsilon: c.number('epsilon', options.epsilon ?? 1e-10, { gt: 0 }),
    exactDirectionalDerivative: c.boolean('exactDirectionalDerivative', options.exactDirectionalDerivative ?? true),
    fidelity: c.oneOf('fidelity', options.fidelity ?? 'exact', ['exact', 'reference']),
  };
}
