/**
 * `equivalence`: the same spec, seed and batch on every backend against backend-js: the max
 * relative difference of losses, gradients, second moments and Gram matrices (tolerances
 * 1e-4 for values, 1e-3 for statistics), and of a 200-step CABS batch-size trajectory (which
 * must be identical: one flipped rounding would show as a difference from that step on).
 */
import { jsBackend } from '@abs/backend-js';
import { cabs } from '@abs/cabs';
import { type Backend, type Dataset, type Model, maxRelativeDifference, mlp, train } from '@abs/core';
import { subset } from '@abs/data';
import type { SuiteContext } from '../context';
import { modelName } from '../run-experiment';

const read = (m: Model<unknown>, list: readonly unknown[] | undefined) =>
  Promise.all((list ?? []).map((t) => m.ops.read(t)));
const concat = (arrays: readonly ArrayLike<number>[]) => Float64Array.from(arrays.flatMap((a) => Array.from(a)));

export async function equivalenceSuite(ctx: SuiteContext): Promise<void> {
  const data: Dataset = (await ctx.data('mnist')).train;
  const spec = mlp([784, 64, 10]);
  const batch = Int32Array.from({ length: 32 }, (_, i) => i * 7);
  const reference = await jsBackend().compile(spec, data, { seed: 3 });
  const expected = await reference.evaluate(batch, {
    gradient: true,
    secondMoment: true,
    gram: true,
    perExampleGradientNormSquared: true,
    perExampleLoss: true,
  });
  const e = {
    loss: [expected.loss],
    perExampleLoss: expected.perExampleLoss ?? [],
    gradient: concat(await read(reference as Model<unknown>, expected.gradient)),
    secondMoment: concat(await read(reference as Model<unknown>, expected.secondMoment)),
    gram: concat(expected.gram ?? []),
    perExampleGradientNormSquared: concat(expected.perExampleGradientNormSquared ?? []),
  };
  for (const loaded of ctx.backends) {
    if (loaded.name === 'js') continue;
    await loaded.activate();
    const model = await (loaded.backend as Backend<unknown>).compile(spec, data, { seed: 3 });
    const actual = await model.evaluate(batch, {
      gradient: true,
      secondMoment: true,
      gram: true,
      perExampleGradientNormSquared: true,
      perExampleLoss: true,
    });
    const a = {
      loss: [actual.loss],
      perExampleLoss: actual.perExampleLoss ?? [],
      gradient: concat(await read(model, actual.gradient)),
      secondMoment: concat(await read(model, actual.secondMoment)),
      gram: concat(actual.gram ?? []),
      perExampleGradientNormSquared: concat(actual.perExampleGradientNormSquared ?? []),
    };
    const statistics = ['secondMoment', 'gram', 'perExampleGradientNormSquared'];
    for (const quantity of ['loss', 'perExampleLoss', 'gradient', ...statistics] as (keyof typeof a)[]) {
      const tolerance = statistics.includes(quantity) ? 1e-3 : 1e-4;
      const diff = maxRelativeDifference(a[quantity], e[quantity]);
      ctx.results.equivalence.push({
        backend: loaded.name,
        reference: 'js',
        model: modelName(spec),
        quantity,
        maxRelativeDifference: diff,
        tolerance,
        pass: diff <= tolerance,
      });
    }
    model.dispose();
  }
  await cabsTrajectories(ctx, data);
}

/** 200 CABS steps (lr 0.1, bs 16 → 256) on mlp([784, 32, 10]) over 1000 digits; batch sizes compared per step. */
async function cabsTrajectories(ctx: SuiteContext, full: Dataset): Promise<void> {
  const data = subset(full, { perClass: 100 }, { seed: 1 });
  const spec = mlp([784, 32, 10]);
  const steps = ctx.budget && 'steps' in ctx.budget ? Math.min(200, ctx.budget.steps) : 200;
  const trajectory = async (backend: Backend<unknown>) => {
    const model = await backend.compile(spec, data, { seed: 2 });
    const run = await train(model, cabs({ learningRate: 0.1, bsMin: 16, bsMax: 256 }), { steps, seed: 2 });
    run.dispose();
    model.dispose();
    return run.trace.map((r) => r.batchSize);
  };
  const reference = await trajectory(jsBackend() as Backend<unknown>);
  for (const loaded of ctx.backends) {
    if (loaded.name === 'js') continue;
    await loaded.activate();
    const sizes = await trajectory(loaded.backend);
    const firstDifference = sizes.findIndex((b, i) => b !== reference[i]);
    ctx.results.equivalence.push({
      backend: loaded.name,
      reference: 'js',
      model: `${modelName(spec)} cabs ${steps} steps`,
      quantity: 'cabsBatchSizeTrajectory',
      maxRelativeDifference: maxRelativeDifference(sizes, reference),
      tolerance: 0,
      pass: firstDifference === -1,
    });
    if (firstDifference !== -1) {
      ctx.log(
        `cabs trajectory on ${loaded.name} first differs from js at step ${firstDifference + 1}: ${sizes[firstDifference]} vs ${reference[firstDifference]}`,
      );
    }
  }
}
