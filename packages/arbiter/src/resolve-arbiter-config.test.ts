import { adam, InvalidHyperParameterError, momentum, sgd } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { adamHd } from './adam-hd';
import { type ArbiterOptions, resolveArbiterConfig } from './resolve-arbiter-config';
import { sgdHd } from './sgd-hd';

describe('resolveArbiterConfig', () => {
  it('applies the paper-time defaults of README “Defaults”', () => {
    const config = resolveArbiterConfig();
    expect(config).toMatchObject({
      preset: 'paper',
      sMin: 8,
      sMax: 512,
      initialBatchSize: 128,
      nSamples: 4,
      phiLr: 1e-5,
      alphaLr: 1e-4,
      agentWeightDecay: 5e-4,
      agentBeta1: 0.9,
      agentBeta2: 0.999,
      agentEpsilon: 1e-8,
      alphaInitScale: 1e-6,
      schedInterval: 1,
      trainFraction: 0.8,
      warmup: true,
      warmupLr: 1e-4,
      warmupTolerance: 2,
      maxWarmupIters: 10000,
      warmupInput: 'validation',
      agent: 'mlp',
      injectionLayer: null,
      fixedSchedule: null,
      innerLrHypergradient: null,
      fidelity: 'corrected',
    });
    expect(config.innerOptimizer.name).toBe('momentum');
    expect(config.innerOptimizer.config).toMatchObject({ learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4 });
  });

  it("the 'notebook' preset: s_max 1000, φ/α learning rates 1e-6, noise warm-up, the agent by dataset, inner lr 0.1; options override it", () => {
    const config = resolveArbiterConfig({ preset: 'notebook', alphaLr: 1e-3 });
    // agent null: 'conv' for image datasets, 'mlp' for flat ones, decided at init (agent-spec.test.ts).
    expect(config).toMatchObject({ sMax: 1000, phiLr: 1e-6, alphaLr: 1e-3, warmupInput: 'noise', agent: null });
    expect(config.innerOptimizer.config).toMatchObject({ learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 });
    expect(resolveArbiterConfig({ preset: 'notebook', agent: 'mlp' }).agent).toBe('mlp');
    expect(resolveArbiterConfig({ agent: 'conv' }).agent).toBe('conv');
  });

  it('fixedSchedule: true is the reference schedule', () => {
    expect(resolveArbiterConfig({ fixedSchedule: true }).fixedSchedule).toEqual({
      milestones: [25, 50, 100],
      sizes: [128, 256, 512],
    });
    expect(resolveArbiterConfig({ fixedSchedule: false }).fixedSchedule).toBeNull();
  });

  it('innerLrHypergradient builds SGD-HD from the inner momentum, Adam-HD from adam', () => {
    const sgdConfig = resolveArbiterConfig({ innerLrHypergradient: { kind: 'sgd', beta: 1e-3 } });
    expect(sgdConfig.innerOptimizer.name).toBe('sgd-hd');
    expect(sgdConfig.innerOptimizer.config).toEqual({
      learningRate: 0.01,
      hypergradientBeta: 1e-3,
      momentum: 0.9,
      weightDecay: 5e-4,
    });
    const plain = resolveArbiterConfig({
      innerOptimizer: sgd({ learningRate: 0.2 }),
      innerLrHypergradient: { kind: 'sgd', beta: 1e-4 },
    });
    expect(plain.innerOptimizer.config).toMatchObject({ learningRate: 0.2, momentum: 0, weightDecay: 0 });
    const adamConfig = resolveArbiterConfig({ innerLrHypergradient: { kind: 'adam', beta: 1e-7 } });
    expect(adamConfig.innerOptimizer.name).toBe('adam-hd');
    expect(adamConfig.innerOptimizer.config).toMatchObject({ learningRate: 1e-3, weightDecay: 5e-4 });
    expect(adamConfig.innerLrHypergradient).toEqual({ kind: 'adam', beta: 1e-7 });
    const given = resolveArbiterConfig({
      innerOptimizer: adam({ learningRate: 3e-4 }),
      innerLrHypergradient: { kind: 'adam', beta: 1e-7 },
    });
    expect(given.innerOptimizer.config).toMatchObject({ learningRate: 3e-4, weightDecay: 0 });
    expect(
      resolveArbiterConfig({ innerOptimizer: sgdHd({ learningRate: 0.1, hypergradientBeta: 1 }) }).innerOptimizer.name,
    ).toBe('sgd-hd');
  });

  const bad: [ArbiterOptions | unknown, string][] = [
    [null, 'arbiter: options must be an object, got null'],
    [{ samples: 8 }, 'arbiter: samples must be spelled nSamples, got 8'],
    [{ schedulingInterval: 2 }, 'arbiter: schedulingInterval must be spelled schedInterval, got 2'],
    [{ agentLearningRates: [1, 2] }, 'arbiter: agentLearningRates must be given as phiLr and alphaLr, got [1,2]'],
    [
      { mode: 'fixed' },
      'arbiter: mode must be given as fixedSchedule and/or innerLrHypergradient (stand-alone is the default), got "fixed"',
    ],
    [{ foo: 1 }, 'arbiter: options must be named preset, sMin, sMax'],
    [{ preset: 'py' }, "arbiter: preset must be one of 'paper' | 'notebook', got \"py\""],
    [{ sMin: 0 }, 'arbiter: sMin must be an integer ≥ 1, got 0'],
    [{ sMin: 2.5 }, 'arbiter: sMin must be an integer ≥ 1, got 2.5'],
    [{ sMin: 64, sMax: 64 }, 'arbiter: sMax must be an integer > sMin, got 64'],
    [{ initialBatchSize: 600 }, 'arbiter: initialBatchSize must be an integer in [sMin, sMax], got 600'],
    [{ nSamples: 0 }, 'arbiter: nSamples must be an integer ≥ 1, got 0'],
    [{ phiLr: 0 }, 'arbiter: phiLr must be a finite number > 0, got 0'],
    [{ alphaLr: Number.POSITIVE_INFINITY }, 'arbiter: alphaLr must be a finite number > 0, got Infinity'],
    [{ agentWeightDecay: -1 }, 'arbiter: agentWeightDecay must be a finite number ≥ 0, got -1'],
    [{ agentBeta1: 1 }, 'arbiter: agentBeta1 must be a finite number in [0, 1), got 1'],
    [{ agentBeta2: -0.5 }, 'arbiter: agentBeta2 must be a finite number in [0, 1), got -0.5'],
    [{ agentEpsilon: 0 }, 'arbiter: agentEpsilon must be a finite number > 0, got 0'],
    [{ alphaInitScale: -1e-6 }, 'arbiter: alphaInitScale must be a finite number ≥ 0, got -0.000001'],
    [{ schedInterval: 0 }, 'arbiter: schedInterval must be an integer ≥ 1, got 0'],
    [{ trainFraction: 1 }, 'arbiter: trainFraction must be a finite number in (0, 1), got 1'],
    [{ warmup: 'yes' }, 'arbiter: warmup must be a boolean, got "yes"'],
    [{ warmupLr: -1 }, 'arbiter: warmupLr must be a finite number > 0, got -1'],
    [{ warmupTolerance: 0 }, 'arbiter: warmupTolerance must be a finite number > 0, got 0'],
    [{ maxWarmupIters: 0 }, 'arbiter: maxWarmupIters must be an integer ≥ 1, got 0'],
    [{ warmupInput: 'images' }, "arbiter: warmupInput must be one of 'validation' | 'noise', got \"images\""],
    [{ agent: 'cnn' }, "arbiter: agent must be one of 'mlp' | 'conv', got \"cnn\""],
    [{ injectionLayer: -1 }, 'arbiter: injectionLayer must be an integer ≥ 0, got -1'],
    [
      { fixedSchedule: 3 },
      'arbiter: fixedSchedule must be true, false or { milestones: number[], sizes: number[] }, got 3',
    ],
    [
      { fixedSchedule: { milestones: [1, 2], sizes: [64] } },
      'arbiter: fixedSchedule must be a schedule with as many sizes as milestones (at least one), got',
    ],
    [
      { fixedSchedule: { milestones: [0], sizes: [64] } },
      'arbiter: fixedSchedule.milestones[0] must be an integer ≥ 1, got 0',
    ],
    [
      { fixedSchedule: { milestones: [5, 5], sizes: [64, 128] } },
      'arbiter: fixedSchedule.milestones[1] must be an integer > 5, got 5',
    ],
    [
      { fixedSchedule: { milestones: [5], sizes: [4] } },
      'arbiter: fixedSchedule.sizes[0] must be an integer in [sMin, sMax], got 4',
    ],
    [{ sMax: 300, fixedSchedule: true }, 'arbiter: fixedSchedule.sizes[2] must be an integer in [sMin, sMax], got 512'],
    [{ fidelity: 'exact' }, "arbiter: fidelity must be one of 'corrected' | 'reference', got \"exact\""],
    [
      { innerOptimizer: { name: 'x' } },
      'arbiter: innerOptimizer must be an optimizer (sgd, momentum, adam from @abs/core, or sgdHd, adamHd), got',
    ],
    [{ innerLrHypergradient: 1e-3 }, 'arbiter: innerLrHypergradient must be false or { kind, beta }, got 0.001'],
    [
      { innerLrHypergradient: { kind: 'rmsprop', beta: 1 } },
      "arbiter: innerLrHypergradient.kind must be one of 'sgd' | 'adam', got \"rmsprop\"",
    ],
    [
      { innerLrHypergradient: { kind: 'sgd', beta: 0 } },
      'arbiter: innerLrHypergradient.beta must be a finite number > 0, got 0',
    ],
    [
      { innerOptimizer: adamHd({ hypergradientBeta: 1 }), innerLrHypergradient: { kind: 'adam', beta: 1 } },
      "arbiter: innerLrHypergradient must be unset when innerOptimizer is already a hypergradient optimizer ('adam-hd'), got",
    ],
    [
      { innerOptimizer: adam(), innerLrHypergradient: { kind: 'sgd', beta: 1 } },
      "arbiter: innerLrHypergradient must be used with a heavy-ball momentum or sgd innerOptimizer for kind 'sgd', not 'adam', got",
    ],
    [
      {
        innerOptimizer: momentum({ learningRate: 0.1, nesterov: true }),
        innerLrHypergradient: { kind: 'sgd', beta: 1 },
      },
      "for kind 'sgd', not 'momentum'",
    ],
    [
      { innerLrHypergradient: { kind: 'adam', beta: 1 }, innerOptimizer: sgd({ learningRate: 0.1 }) },
      "arbiter: innerLrHypergradient must be used with an adam innerOptimizer for kind 'adam', not 'sgd', got",
    ],
  ];

  it.each(bad)('rejects %j', (options, message) => {
    let caught: unknown;
    try {
      resolveArbiterConfig(options as ArbiterOptions);
    } catch (error) {
      caught = error;
    }
    expect(InvalidHyperParameterError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain(message);
  });
});
