/**
 * The shared backend conformance suite (in the spirit of tfjs-core's per-backend tests):
 * compiles the same specs, seed and batches on the backend under test and on a reference
 * backend (normally `jsBackend()`), and compares every capability. A backend excludes a
 * case only with a written reason.
 *
 * Tolerances (relative to the reference's largest magnitude): losses, gradients, outputs
 * and features 1e-4; second moments and Gram matrices 1e-3.
 */
import { describe, expect, it } from 'vitest';
import { type Capability, PER_EXAMPLE_CAPABILITIES } from '../model/capability';
import type { Dataset } from '../model/dataset';
import { describeSpec } from '../model/describe-spec';
import type { Backend, EvaluateRequest, Model } from '../model/model';
import {
  avgPool2d,
  batchNorm,
  conv2d,
  dense,
  flatten,
  globalAvgPool2d,
  type ModelSpec,
  maxPool2d,
  mlp,
  projection,
  relu,
  residual,
  sequential,
} from '../model/model-spec';
import { createRng } from '../random/rng';
import { maxRelativeDifference } from '../tensor/max-relative-difference';

export type ConformanceCase =
  | 'tensor-ops'
  | 'loss'
  | 'per-example-loss'
  | 'gradient'
  | 'second-moment'
  | 'gram'
  | 'per-example-gradient-norm'
  | 'example-weights'
  | 'evaluate-at'
  | 'features'
  | 'replace-features'
  | 'output-gradient'
  | 'outputs'
  | 'predict'
  | 'parameters'
  | 'sgd-step'
  | 'sgd-step-variance'
  | 'sgd-step-normalized'
  | 'sgd-step-normalized-edges'
  | 'bad-input'
  | 'second-moment-fidelity';

export interface ConformanceOptions<T, R> {
  /** Suite title, e.g. `'onnx-cpu'`. */
  readonly name: string;
  readonly backend: () => Backend<T> | Promise<Backend<T>>;
  readonly reference: () => Backend<R> | Promise<Backend<R>>;
  /** Cases this backend skips, each with the reason printed in the test name. */
  readonly exclude?: Partial<Record<ConformanceCase, string>>;
  /** Networks this backend skips (by title, e.g. `'conv/pool/residual'`), each with the reason. */
  readonly excludeNetworks?: Partial<Record<ConformanceNetwork, string>>;
  /** Optional per-test cleanup, e.g. a tensor-leak assertion. */
  readonly afterEach?: (model: Model<T>) => void | Promise<void>;
}

const VALUE_TOLERANCE = 1e-4;
const STATISTIC_TOLERANCE = 1e-3;

/** A small classification dataset with every class present. */
export function conformanceDataset(options: {
  size: number;
  /** Features per example (a vector), or give `featureShape`. */
  width?: number;
  featureShape?: readonly number[];
  classes: number;
  seed: number;
  regression?: boolean;
}): Dataset {
  const rng = createRng(options.seed);
  const featureShape = options.featureShape ?? [options.width ?? 1];
  const width = featureShape.reduce((a, b) => a * b, 1);
  const features = Float32Array.from({ length: options.size * width }, () => rng.nextNormal());
  const labels = Int32Array.from({ length: options.size }, (_, i) => i % options.classes);
  const base = {
    name: 'conformance',
    size: options.size,
    featureShape: [...featureShape],
    features,
    labels,
    numClasses: options.classes,
  };
  if (!options.regression) return base;
  const targets = Float32Array.from({ length: options.size * options.classes }, () => rng.nextNormal());
  return { ...base, targets, targetSize: options.classes };
}

/**
 * A small net with every layer kind but batch norm: strided and 'valid' convolutions, both
 * poolings with both paddings, an identity and a projection residual block, global pooling.
 */
export const CONV_SPEC: ModelSpec = sequential(
  [6, 5, 2],
  [
    conv2d(3, 3, { init: 'glorot-uniform' }),
    relu(),
    maxPool2d(2, { strides: 1, padding: 'same' }),
    residual([conv2d(3, [3, 2], { init: 'glorot-uniform' }), { kind: 'activation', activation: 'tanh' }]),
    residual([conv2d(4, 3, { strides: 2, init: 'glorot-uniform' }), relu(), conv2d(4, 1, { bias: false })], {
      shortcut: projection(4, 2),
    }),
    avgPool2d(2, { strides: 1, padding: 'same' }),
    conv2d(3, 2, { padding: 'valid', init: 'glorot-uniform' }),
    flatten(),
    dense(5),
    { kind: 'activation', activation: 'sigmoid' },
    dense(3, { init: 'glorot-uniform' }),
  ],
);

/** A ResNet-style net with batch norm after convolutions, in a block, and after a dense layer. */
export const BATCH_NORM_SPEC: ModelSpec = sequential(
  [5, 5, 2],
  [
    conv2d(3, 3, { bias: false }),
    batchNorm(),
    relu(),
    residual([conv2d(3, 3, { bias: false }), batchNorm(), relu(), conv2d(3, 3, { bias: false }), batchNorm()]),
    relu(),
    globalAvgPool2d(),
    dense(4),
    batchNorm({ momentum: 0.5 }),
    relu(),
    dense(3),
  ],
);

export type ConformanceNetwork =
  | 'relu/cross-entropy'
  | 'tanh/mse'
  | 'sigmoid/no-bias'
  | 'conv/pool/residual'
  | 'batch-norm/mse';

const SPECS: readonly { title: ConformanceNetwork; spec: ModelSpec; regression: boolean }[] = [
  { title: 'relu/cross-entropy', spec: mlp([6, 5, 4, 3]), regression: false },
  { title: 'tanh/mse', spec: mlp([5, 4, 2], { activation: 'tanh', loss: 'mse' }), regression: true },
  { title: 'sigmoid/no-bias', spec: mlp([4, 3, 3], { activation: 'sigmoid', bias: false }), regression: false },
  { title: 'conv/pool/residual', spec: CONV_SPEC, regression: false },
  { title: 'batch-norm/mse', spec: BATCH_NORM_SPEC, regression: true },
];

const BATCH = [3, 0, 7, 12, 5, 9, 1];

export function describeBackendConformance<T, R>(options: ConformanceOptions<T, R>): void {
  const exclude = options.exclude ?? {};
  const test = (name: ConformanceCase, run: () => Promise<void>) => {
    const reason = exclude[name];
    if (reason) it.skip(`${name} (excluded: ${reason})`, run);
    else it(name, run);
  };

  describe(`backend conformance: ${options.name}`, () => {
    test('tensor-ops', async () => {
      const backend = await options.backend();
      const ops = backend.ops;
      const a = ops.fromArray(Float32Array.from([1, -2, 3, 4, 0.5, 9]), [2, 3]);
      const b = ops.fromArray(Float32Array.from([2, 1, -1, 0.5, 4, 3]), [2, 3]);
      const cases: [string, () => T, number[]][] = [
        ['add', () => ops.add(a, b), [3, -1, 2, 4.5, 4.5, 12]],
        ['sub', () => ops.sub(a, b), [-1, -3, 4, 3.5, -3.5, 6]],
        ['mul', () => ops.mul(a, b), [2, -2, -3, 2, 2, 27]],
        ['div', () => ops.div(a, b), [0.5, -2, -3, 8, 0.125, 3]],
        ['scale', () => ops.scale(a, -2), [-2, 4, -6, -8, -1, -18]],
        ['addScalar', () => ops.addScalar(a, 1), [2, -1, 4, 5, 1.5, 10]],
        ['axpby', () => ops.axpby(2, a, -1, b), [0, -5, 7, 7.5, -3, 15]],
        ['square', () => ops.square(a), [1, 4, 9, 16, 0.25, 81]],
        ['sqrt', () => ops.sqrt(ops.square(a)), [1, 2, 3, 4, 0.5, 9]],
        ['zerosLike', () => ops.zerosLike(a), [0, 0, 0, 0, 0, 0]],
        ['fullLike', () => ops.fullLike(a, 7), [7, 7, 7, 7, 7, 7]],
        ['clone', () => ops.clone(a), [1, -2, 3, 4, 0.5, 9]],
      ];
      for (const [name, run, expected] of cases) {
        const out = run();
        expect(ops.shape(out), name).toEqual([2, 3]);
        expect(Array.from(await ops.read(out)), name).toEqual(expected);
        ops.dispose(out);
      }
      expect(await ops.sum(a)).toBeCloseTo(15.5, 5);
      expect(await ops.dot(a, b)).toBeCloseTo(28, 5);
      expect(ops.isTensor(a)).toBe(true);
      expect(ops.isTensor({})).toBe(false);
      expect(Array.from(await ops.read(a)), 'inputs unchanged').toEqual([1, -2, 3, 4, 0.5, 9]);
      ops.dispose(a);
      ops.dispose(b);
    });

    // Spec vector C3: one example, a 1×1 conv over two positions x = (1, 2) with output gradient
    // δ = (1, 1) (conv w = 1, b = 0 into a dense layer with weights (1, 1); z = 3, target 2).
    // Weight: exact (Σ_p x_p δ_p)² = 9, reference Σ_p x_p²δ_p² = 5; bias: exact 4, reference 2.
    const convReason = options.excludeNetworks?.['conv/pool/residual'] ?? exclude['second-moment-fidelity'];
    (convReason ? it.skip : it)(
      `second-moment-fidelity (C3)${convReason ? ` (excluded: ${convReason})` : ''}`,
      async () => {
        const backend = await options.backend();
        const spec = sequential([1, 2, 1], [conv2d(1, 1), flatten(), dense(1)], { loss: 'mse' });
        const data = {
          name: 'c3',
          size: 1,
          featureShape: [1, 2, 1],
          features: Float32Array.from([1, 2]),
          targets: Float32Array.from([2]),
          targetSize: 1,
        };
        const parameters = [[1], [0], [1, 1], [0]].map((p) => Float32Array.from(p));
        const model = await backend.compile(spec, data, { parameters });
        for (const [fidelity, weight, bias] of [
          ['exact', 9, 4],
          ['reference', 5, 2],
        ] as const) {
          const { secondMoment } = await model.evaluate([0], { secondMoment: { fidelity } });
          const values = await Promise.all((secondMoment ?? []).map((t) => model.ops.read(t)));
          expect(Array.from(values[0] ?? []), `${fidelity} weight`).toEqual([weight]);
          expect(Array.from(values[1] ?? []), `${fidelity} bias`).toEqual([bias]);
          for (const t of secondMoment ?? []) model.ops.dispose(t);
        }
        await options.afterEach?.(model);
        model.dispose();
      },
    );

    // A normalised sgdStep at its edges, on one linear unit z = w·x + b with mse targets (the
    // rows x are `features`) and on a small MLP.
    const edgesReason = exclude['sgd-step-normalized-edges'];
    (edgesReason ? it.skip : it)(
      `sgd-step-normalized-edges${edgesReason ? ` (excluded: ${edgesReason})` : ''}`,
      async () => {
        const backend = await options.backend();
        const epsilon = 1e-8;
        const unit = (features: number[], targets: number[]): Dataset => ({
          name: 'unit',
          size: targets.length,
          featureShape: [features.length / targets.length],
          features: Float32Array.from(features),
          targets: Float32Array.from(targets),
          targetSize: 1,
        });
        // (1) A gradient of exactly 0 divides by ε: w = (1, 1), b = 0.5 on x = (1, −1), (2, −2)
        // against t = 0.5 give z = t, so the parameters only decay by fround(1 − ηλ).
        const start = [Float32Array.of(1, 1), Float32Array.of(0.5)];
        const still = await backend.compile(mlp([2, 1], { loss: 'mse' }), unit([1, -1, 2, -2], [0.5, 0.5]), {
          parameters: start,
        });
        if (!still.sgdStep) {
          still.dispose();
          return; // an optional fast path: nothing to check on a backend without it
        }
        const [learningRate, weightDecay] = [0.1, 0.1];
        const decayed = await still.sgdStep([0, 1], { learningRate, weightDecay, normalize: { epsilon } });
        expect([decayed.loss, decayed.gradientNormSquared, decayed.applied]).toEqual([0, 0, true]);
        const keep = Math.fround(1 - learningRate * weightDecay);
        expect(await still.readParameters()).toEqual(start.map((p) => p.map((v) => Math.fround(v * keep))));
        await options.afterEach?.(still);
        still.dispose();

        // (2) The step moves the parameters by η along −∇/‖∇‖, even an η whose plain step overflows.
        const data = conformanceDataset({ size: 8, featureShape: [4], classes: 3, seed: 2, regression: true });
        const model = await backend.compile(mlp([4, 5, 3], { loss: 'mse' }), data, { seed: 3 });
        model.writeParameters((await model.readParameters()).map((p) => p.map((v) => v * 30)));
        const before = await model.readParameters();
        const huge = 1e38;
        expect((await model.sgdStep?.([0, 1, 2, 3], { learningRate: huge }))?.applied, 'plain: η·∇ overflows').toBe(
          false,
        );
        const taken = await model.sgdStep?.([0, 1, 2, 3], { learningRate: huge, normalize: { epsilon } });
        expect(taken?.applied).toBe(true);
        const after = await model.readParameters();
        let moved = 0;
        after.forEach((p, i) => p.forEach((v, j) => (moved += (v - (before[i]?.[j] as number)) ** 2)));
        expect(Math.sqrt(moved) / huge).toBeCloseTo(1, 5);

        await options.afterEach?.(model);
        model.dispose();

        // (3) Refused, the model unchanged: new parameters not finite (1 − ηλ is −∞ in float32) …
        const classes = conformanceDataset({ size: 8, featureShape: [4], classes: 3, seed: 2 });
        const fresh = await backend.compile(mlp([4, 5, 3]), classes, { seed: 3 });
        const current = await fresh.readParameters();
        const refused = await fresh.sgdStep?.([0, 1, 2], {
          learningRate: 1e30,
          weightDecay: 1e10,
          normalize: { epsilon },
        });
        expect(Number.isFinite(refused?.loss) && Number.isFinite(refused?.gradientNormSquared)).toBe(true);
        expect(refused?.applied).toBe(false);
        expect(await fresh.readParameters()).toEqual(current);
        await options.afterEach?.(fresh);
        fresh.dispose();
        // … or ‖∇‖² not finite: x = 1e20 against t = 1 at w = b = 0 gives ∇_w = −1e20, whose square
        // overflows float32; n = ∞ leaves θ' = θ finite, but the step is refused on ‖∇‖².
        const zero = [new Float32Array(1), new Float32Array(1)];
        const wide = await backend.compile(mlp([1, 1], { loss: 'mse' }), unit([1e20], [1]), { parameters: zero });
        const overflow = await wide.sgdStep?.([0], { learningRate: 0.1, normalize: { epsilon } });
        expect([overflow?.loss, overflow?.gradientNormSquared, overflow?.applied]).toEqual([
          0.5,
          Number.POSITIVE_INFINITY,
          false,
        ]);
        expect(await wide.readParameters()).toEqual(zero);
        wide.dispose();
      },
    );

    for (const { title, spec, regression } of SPECS) {
      const networkReason = options.excludeNetworks?.[title];
      if (networkReason) {
        it.skip(`${title} (excluded: ${networkReason})`, () => {});
        continue;
      }
      describe(title, () => {
        const layout = describeSpec(spec);
        const inputSize = layout.inputShape.reduce((a, b) => a * b, 1);
        const classes = layout.outputShape[0] as number;
        const depth = layout.layers.length;
        const last = depth - 1;
        const lastWidth = (layout.layers[last] as (typeof layout.layers)[number]).inputSize;
        const dataset = conformanceDataset({
          size: 16,
          featureShape: layout.inputShape,
          classes,
          seed: 11,
          regression,
        });
        const setup = async () => {
          const backend = await options.backend();
          const reference = await options.reference();
          const model = await backend.compile(spec, dataset, { seed: 5 });
          const oracle = await reference.compile(spec, dataset, { seed: 5 });
          return { model, oracle };
        };
        const compare = async (
          request: EvaluateRequest<never>,
          pick: (capability: Capability) => boolean,
          check: (
            actual: Awaited<ReturnType<Model<T>['evaluate']>>,
            expected: Awaited<ReturnType<Model<R>['evaluate']>>,
            m: Model<T>,
            o: Model<R>,
          ) => Promise<void>,
        ) => {
          const { model, oracle } = await setup();
          if (!pick('loss')) return;
          const actual = await model.evaluate(BATCH, request as EvaluateRequest<T>);
          const expected = await oracle.evaluate(BATCH, request as EvaluateRequest<R>);
          await check(actual, expected, model, oracle);
          await options.afterEach?.(model);
          model.dispose();
          oracle.dispose();
        };
        const readAll = async <U>(m: Model<U>, list: readonly U[] | undefined) => {
          expect(list, 'result present').toBeDefined();
          return Promise.all((list ?? []).map((t) => m.ops.read(t)));
        };
        const expectLists = async <U, V>(
          what: string,
          [m, actual]: [Model<U>, readonly U[] | undefined],
          [o, expected]: [Model<V>, readonly V[] | undefined],
          tolerance: number,
        ) => {
          const a = await readAll(m, actual);
          const e = await readAll(o, expected);
          expect(a.length, what).toBe(e.length);
          // A tensor whose true values are all ~0 (e.g. a bias right before a batch norm, whose
          // gradient vanishes) is compared against 1% of the whole list's largest magnitude, so
          // float32 rounding of a zero is not read as a relative error of order one.
          const global = Math.max(0, ...e.map((t) => t.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
          a.forEach((values, i) => {
            expect(maxRelativeDifference(values, e[i] as Float32Array, 0.01 * global), `${what}[${i}]`).toBeLessThan(
              tolerance,
            );
            expect(m.ops.shape((actual as U[])[i] as U), `${what}[${i}] shape`).toEqual(
              o.ops.shape((expected as V[])[i] as V),
            );
          });
        };
        const always = () => true;
        // Batch norm makes per-example gradients undefined: those cases check the refusal instead.
        const normLayer = layout.batchNorm;
        const perExampleTest = (name: ConformanceCase, request: EvaluateRequest<never>, run: () => Promise<void>) =>
          test(name, async () => {
            if (!normLayer) return run();
            const { model, oracle } = await setup();
            for (const capability of PER_EXAMPLE_CAPABILITIES) {
              expect(model.capabilities.has(capability), capability).toBe(false);
            }
            await expect(model.evaluate(BATCH, request as EvaluateRequest<T>)).rejects.toMatchObject({
              code: 'abs.unsupported-capability',
              message: expect.stringContaining(`${normLayer.name} at ${normLayer.path}`),
            });
            await options.afterEach?.(model);
            model.dispose();
            oracle.dispose();
          });

        test('loss', () =>
          compare({}, always, async (a, e) => {
            expect(a.batchSize).toBe(BATCH.length);
            expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(VALUE_TOLERANCE);
          }));
        test('per-example-loss', () =>
          compare({ perExampleLoss: true }, always, async (a, e) => {
            expect(maxRelativeDifference(a.perExampleLoss ?? [], e.perExampleLoss ?? [1])).toBeLessThan(
              VALUE_TOLERANCE,
            );
          }));
        test('gradient', () =>
          compare({ gradient: true }, always, (a, e, m, o) =>
            expectLists('gradient', [m, a.gradient], [o, e.gradient], VALUE_TOLERANCE),
          ));
        perExampleTest('second-moment', { secondMoment: true }, () =>
          compare({ gradient: true, secondMoment: true }, always, async (a, e, m, o) => {
            await expectLists('gradient', [m, a.gradient], [o, e.gradient], VALUE_TOLERANCE);
            await expectLists('secondMoment', [m, a.secondMoment], [o, e.secondMoment], STATISTIC_TOLERANCE);
          }),
        );
        perExampleTest('gram', { gram: true }, () =>
          compare({ gram: true }, always, async (a, e) => {
            expect(a.gram?.length).toBe(depth);
            a.gram?.forEach((k, l) => {
              expect(k.length).toBe(BATCH.length * BATCH.length);
              expect(maxRelativeDifference(k, e.gram?.[l] ?? [])).toBeLessThan(STATISTIC_TOLERANCE);
            });
          }),
        );
        perExampleTest('per-example-gradient-norm', { perExampleGradientNormSquared: true }, async () => {
          const n = BATCH.length;
          const request = { perExampleGradientNormSquared: true, secondMoment: true, gram: true } as const;
          await compare(request, always, async (a, e, m) => {
            const norms = a.perExampleGradientNormSquared ?? [];
            expect(norms.length, 'one array per parameter').toBe(m.parameterInfo.length);
            norms.forEach((values, p) => {
              expect(values.length, `perExampleGradientNormSquared[${p}] length`).toBe(n);
              const expected = e.perExampleGradientNormSquared?.[p] ?? [];
              expect(maxRelativeDifference(values, expected), `[${p}]`).toBeLessThan(STATISTIC_TOLERANCE);
            });
            // Consistent with the same pass's other statistics: Σ_i ‖g_i‖² = n·Σ_j M_j per
            // parameter, and a layer's norms add up to the diagonal of its Gram matrix.
            const moments = await readAll(m, a.secondMoment);
            norms.forEach((values, p) => {
              const total = values.reduce((s, v) => s + v, 0) / n;
              const moment = (moments[p] as Float32Array).reduce((s, v) => s + v, 0);
              expect(maxRelativeDifference([total], [moment]), `Σ norms vs Σ moment [${p}]`).toBeLessThan(
                STATISTIC_TOLERANCE,
              );
            });
            m.layers.forEach((layer, l) => {
              const diagonal = Float64Array.from({ length: n }, (_, i) => a.gram?.[l]?.[i * n + i] as number);
              const sums = Float64Array.from({ length: n }, (_, i) =>
                layer.parameters.reduce((s, p) => s + (norms[p]?.[i] as number), 0),
              );
              expect(maxRelativeDifference(sums, diagonal), `layer ${l} vs Gram diagonal`).toBeLessThan(
                STATISTIC_TOLERANCE,
              );
            });
          });
          // From an upstream gradient, and from replaced features (holes below the layer).
          const { model, oracle } = await setup();
          const k = classes;
          const upstream = Float32Array.from({ length: n * k }, (_, i) => Math.cos(i));
          const layer = last;
          const width = lastWidth;
          const values = Float32Array.from({ length: n * width }, (_, i) => Math.sin(i));
          const requests = [
            (ops: Model<T>['ops'] | Model<R>['ops']) => ({
              perExampleGradientNormSquared: true,
              outputGradient: (ops as Model<T>['ops']).fromArray(upstream, [n, k]),
            }),
            (ops: Model<T>['ops'] | Model<R>['ops']) => ({
              perExampleGradientNormSquared: true,
              replaceFeatures: { layer, features: (ops as Model<T>['ops']).fromArray(values, [n, width]) },
            }),
          ];
          for (const make of requests) {
            const a = await model.evaluate(BATCH, make(model.ops) as EvaluateRequest<T>);
            const e = await oracle.evaluate(BATCH, make(oracle.ops) as unknown as EvaluateRequest<R>);
            const expected = e.perExampleGradientNormSquared ?? [];
            expect(a.perExampleGradientNormSquared?.length).toBe(expected.length);
            expected.forEach((values, p) => {
              expect(maxRelativeDifference(a.perExampleGradientNormSquared?.[p] ?? [], values), `[${p}]`).toBeLessThan(
                STATISTIC_TOLERANCE,
              );
            });
            if (make === requests[1]) {
              const below = model.layers.slice(0, layer).flatMap((info) => info.parameters);
              for (const p of below) expect(a.perExampleGradientNormSquared?.[p], `hole [${p}]`).toBeUndefined();
            }
          }
          await options.afterEach?.(model);
          model.dispose();
          oracle.dispose();
        });
        perExampleTest('example-weights', { exampleWeights: new Float32Array(BATCH.length) }, async () => {
          const n = BATCH.length;
          const shared = Float32Array.from({ length: n }, (_, i) => (i % 3) - 0.5);
          const perLayer = Array.from({ length: depth }, (_, l) =>
            Float32Array.from({ length: n }, (_, i) => (i === l ? 0 : 1 / (n - 1))),
          );
          for (const weights of [shared, perLayer]) {
            await compare({ exampleWeights: weights }, always, (a, e, m, o) =>
              expectLists('weightedGradient', [m, a.weightedGradient], [o, e.weightedGradient], VALUE_TOLERANCE),
            );
          }
          // Weights chosen from the same pass's Gram matrices.
          let seen: readonly Float64Array[] = [];
          await compare(
            {
              gram: true,
              exampleWeights: (gram) => {
                seen = gram;
                return perLayer;
              },
            },
            always,
            async (a, e, m, o) => {
              expect(seen.length).toBe(depth);
              await expectLists('weightedGradient', [m, a.weightedGradient], [o, e.weightedGradient], VALUE_TOLERANCE);
            },
          );
        });
        test('evaluate-at', async () => {
          const { model, oracle } = await setup();
          const shift = (await model.readParameters()).map((p) => p.map((v, i) => v + 0.01 * ((i % 5) - 2)));
          const atModel = shift.map((p, i) => model.ops.fromArray(p, model.parameterInfo[i]?.shape as number[]));
          const atOracle = shift.map((p, i) => oracle.ops.fromArray(p, oracle.parameterInfo[i]?.shape as number[]));
          const before = await model.readParameters();
          const a = await model.evaluate(BATCH, { gradient: true, parameters: atModel });
          const e = await oracle.evaluate(BATCH, { gradient: true, parameters: atOracle });
          expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(VALUE_TOLERANCE);
          await expectLists('gradient', [model, a.gradient], [oracle, e.gradient], VALUE_TOLERANCE);
          expect(await model.readParameters(), 'model parameters untouched').toEqual(before);
          for (const t of atModel) model.ops.dispose(t);
          for (const t of a.gradient ?? []) model.ops.dispose(t);
          await options.afterEach?.(model);
          model.dispose();
        });
        test('features', () =>
          compare({ features: { layer: last } }, always, async (a, e, m, o) => {
            await expectLists(
              'features',
              [m, a.features ? [a.features] : undefined],
              [o, e.features ? [e.features] : undefined],
              VALUE_TOLERANCE,
            );
          }));
        test('replace-features', async () => {
          const { model, oracle } = await setup();
          const layer = last;
          const width = lastWidth;
          const values = Float32Array.from({ length: BATCH.length * width }, (_, i) => Math.sin(i));
          const a = await model.evaluate(BATCH, {
            replaceFeatures: { layer, features: model.ops.fromArray(values, [BATCH.length, width]) },
          });
          const e = await oracle.evaluate(BATCH, {
            replaceFeatures: { layer, features: oracle.ops.fromArray(values, [BATCH.length, width]) },
          });
          expect(maxRelativeDifference([a.loss], [e.loss])).toBeLessThan(VALUE_TOLERANCE);
          await expectLists(
            'featureGradient',
            [model, a.featureGradient ? [a.featureGradient] : undefined],
            [oracle, e.featureGradient ? [e.featureGradient] : undefined],
            VALUE_TOLERANCE,
          );
          await options.afterEach?.(model);
          model.dispose();
        });
        test('output-gradient', async () => {
          const { model, oracle } = await setup();
          const k = classes;
          const upstream = Float32Array.from({ length: BATCH.length * k }, (_, i) => Math.cos(i));
          const a = await model.evaluate(BATCH, { outputGradient: model.ops.fromArray(upstream, [BATCH.length, k]) });
          const e = await oracle.evaluate(BATCH, { outputGradient: oracle.ops.fromArray(upstream, [BATCH.length, k]) });
          await expectLists('gradient', [model, a.gradient], [oracle, e.gradient], VALUE_TOLERANCE);
          await options.afterEach?.(model);
          model.dispose();
        });
        test('outputs', () =>
          compare({ outputs: true }, always, (a, e, m, o) =>
            expectLists(
              'outputs',
              [m, a.outputs ? [a.outputs] : undefined],
              [o, e.outputs ? [e.outputs] : undefined],
              VALUE_TOLERANCE,
            ),
          ));
        test('predict', async () => {
          const { model, oracle } = await setup();
          const x = dataset.features.subarray(0, 5 * inputSize);
          const expected = await oracle.predict(x, 5);
          expect(maxRelativeDifference(await model.predict(x, 5), expected)).toBeLessThan(VALUE_TOLERANCE);
          // Without a count, the length over the example width; a remainder names the argument.
          expect(maxRelativeDifference(await model.predict(x), expected)).toBeLessThan(VALUE_TOLERANCE);
          await expect(model.predict(x.subarray(1))).rejects.toThrow(/pass count/);
          await options.afterEach?.(model);
          model.dispose();
        });
        test('parameters', async () => {
          const { model, oracle } = await setup();
          expect(await model.readParameters(), 'same seed, same initial parameters').toEqual(
            await oracle.readParameters(),
          );
          const next = (await model.readParameters()).map((p) => p.map((v) => v * 0.5));
          model.writeParameters(next);
          expect(await model.readParameters()).toEqual(next);
          const tensors = next.map((p, i) =>
            model.ops.fromArray(
              p.map((v) => v + 1),
              model.parameterInfo[i]?.shape as number[],
            ),
          );
          model.setParameters(tensors);
          expect((await model.readParameters())[0]?.[0]).toBeCloseTo((next[0]?.[0] as number) + 1, 6);
          await options.afterEach?.(model);
          model.dispose();
        });
        /**
         * The model's parameters against `expected`; near-zero tensors (a bias before a batch norm
         * stays ~0) against 1% of the largest value. Returns the parameters read.
         */
        const expectParameters = async (model: Model<T>, expected: readonly Float32Array[]) => {
          const after = await model.readParameters();
          const largest = Math.max(0, ...expected.map((t) => t.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
          after.forEach((p, i) => {
            expect(
              maxRelativeDifference(p, expected[i] as Float32Array, 0.01 * largest),
              `parameter ${i}`,
            ).toBeLessThan(VALUE_TOLERANCE);
          });
          return after;
        };
        // The optional fast path: a backend without `sgdStep` has nothing to check here.
        const sgdStepTest = (
          name: ConformanceCase,
          run: (model: Model<T> & Required<Pick<Model<T>, 'sgdStep'>>, oracle: Model<R>) => Promise<void>,
        ) =>
          test(name, async () => {
            const { model, oracle } = await setup();
            if (model.sgdStep) {
              await run(model as Model<T> & Required<Pick<Model<T>, 'sgdStep'>>, oracle);
              await options.afterEach?.(model);
            }
            model.dispose();
            oracle.dispose();
          });
        sgdStepTest('sgd-step', async (model, oracle) => {
          // θ ← (1 − ηλ)θ − ηg on the reference's gradient, against the backend's own pass.
          const [learningRate, weightDecay] = [0.3, 0.05];
          const statistics = normLayer ? {} : ({ secondMoment: true, gram: true } as const);
          const e = await oracle.evaluate(BATCH, { gradient: true, ...statistics });
          const before = await oracle.readParameters();
          const gradients = await Promise.all((e.gradient ?? []).map((g) => oracle.ops.read(g)));
          const expected = before.map((p, i) =>
            p.map((v, j) => (1 - learningRate * weightDecay) * v - learningRate * (gradients[i]?.[j] as number)),
          );
          const norm = gradients.reduce((s, g) => s + g.reduce((t, v) => t + v * v, 0), 0);
          // The statistics of the same pass come back at the parameters before the step.
          const request = { gradient: true, ...statistics } as const;
          const step = await model.sgdStep(BATCH, { learningRate, weightDecay }, request);
          expect(step.applied).toBe(true);
          expect(maxRelativeDifference([step.loss], [e.loss])).toBeLessThan(VALUE_TOLERANCE);
          expect(maxRelativeDifference([step.gradientNormSquared], [norm])).toBeLessThan(VALUE_TOLERANCE);
          await expectLists('gradient', [model, step.gradient], [oracle, e.gradient], VALUE_TOLERANCE);
          if (!normLayer) {
            await expectLists(
              'secondMoment',
              [model, step.secondMoment],
              [oracle, e.secondMoment],
              STATISTIC_TOLERANCE,
            );
            step.gram?.forEach((k, l) => {
              expect(maxRelativeDifference(k, e.gram?.[l] ?? [])).toBeLessThan(STATISTIC_TOLERANCE);
            });
            expect(step.gram?.length).toBe(depth);
          }
          const after = await expectParameters(model, expected);
          // A non-finite pass leaves the parameters as they were. The NaN goes into the output
          // layer, where every backend's loss must see it (a relu may swallow one further down:
          // tfjs-wasm's max(0, NaN) is 0).
          const poisoned = after.map((p) => p.slice());
          (poisoned.at(-1) as Float32Array)[0] = Number.NaN;
          model.writeParameters(poisoned);
          const refused = await model.sgdStep(BATCH, { learningRate });
          expect(refused.applied).toBe(false);
          expect(await model.readParameters()).toEqual(poisoned);
          for (const bad of [0, -1, Number.NaN]) {
            await expect(model.sgdStep(BATCH, { learningRate: bad }), `learningRate ${bad}`).rejects.toThrow(
              /learningRate/,
            );
          }
          await expect(model.sgdStep(BATCH, { learningRate: 0.1, weightDecay: -1 })).rejects.toThrow(/weightDecay/);
          await expect(model.sgdStep([], { learningRate: 0.1 })).rejects.toThrow(/sgdStep: the batch is empty/);
        });
        sgdStepTest('sgd-step-normalized', async (model, oracle) => {
          // θ ← (1 − ηλ)θ − η·g/‖g‖ with ‖g‖ over every parameter, on the reference's gradient.
          const [learningRate, weightDecay] = [0.05, 0.1];
          const e = await oracle.evaluate(BATCH, { gradient: true });
          const before = await oracle.readParameters();
          const gradients = await readAll(oracle, e.gradient);
          for (const t of e.gradient ?? []) oracle.ops.dispose(t);
          const norm = Math.sqrt(gradients.reduce((s, g) => s + g.reduce((t, v) => t + v * v, 0), 0));
          const expected = before.map((p, i) =>
            p.map(
              (v, j) => (1 - learningRate * weightDecay) * v - (learningRate * (gradients[i]?.[j] as number)) / norm,
            ),
          );
          const step = await model.sgdStep(BATCH, { learningRate, weightDecay, normalize: { epsilon: 1e-8 } });
          expect(step.applied).toBe(true);
          expect(maxRelativeDifference([step.gradientNormSquared], [norm * norm])).toBeLessThan(VALUE_TOLERANCE);
          await expectParameters(model, expected);
          for (const bad of [0, -1, Number.NaN]) {
            await expect(
              model.sgdStep(BATCH, { learningRate, normalize: { epsilon: bad } }),
              `epsilon ${bad}`,
            ).rejects.toThrow(/normalize\.epsilon/);
          }
        });
        sgdStepTest('sgd-step-variance', async (model, oracle) => {
          if (normLayer) {
            await expect(model.sgdStep(BATCH, { learningRate: 0.1 }, { gradientVariance: true })).rejects.toMatchObject(
              {
                code: 'abs.unsupported-capability',
                message: expect.stringContaining(`${normLayer.name} at ${normLayer.path}`),
              },
            );
          } else {
            // ξ = Σ_p [(1/n)·Σ_i ‖g_i,p‖² − ‖ḡ_p‖²] (exact) or Σ (M_ref − ḡ∘ḡ) (reference), from
            // the reference backend's statistics, against the number the fused pass returns.
            const learningRate = 0.2;
            const sum = (list: Float32Array[]) => list.reduce((s, t) => s + t.reduce((u, v) => u + v, 0), 0);
            const squares = (list: Float32Array[]) => list.reduce((s, t) => s + t.reduce((u, v) => u + v * v, 0), 0);
            for (const [asked, evaluate] of [
              [true, { gradient: true, perExampleGradientNormSquared: true }],
              [{ fidelity: 'exact' }, { gradient: true, secondMoment: true }],
              [{ fidelity: 'reference' }, { gradient: true, secondMoment: { fidelity: 'reference' } }],
            ] as const) {
              const e = await oracle.evaluate(BATCH, evaluate);
              const g = await readAll(oracle, e.gradient);
              const moments = e.perExampleGradientNormSquared
                ? e.perExampleGradientNormSquared.reduce((s, t) => s + t.reduce((u, v) => u + v, 0), 0) / BATCH.length
                : sum(await readAll(oracle, e.secondMoment));
              const xi = moments - squares(g);
              for (const t of [...(e.gradient ?? []), ...(e.secondMoment ?? [])]) oracle.ops.dispose(t);
              const before = await model.readParameters();
              const step = await model.sgdStep(BATCH, { learningRate }, { gradientVariance: asked });
              expect(step.applied, JSON.stringify(asked)).toBe(true);
              expect(
                maxRelativeDifference([step.gradientVariance ?? Number.NaN], [xi]),
                `ξ ${JSON.stringify(asked)}: ${step.gradientVariance} vs ${xi}`,
              ).toBeLessThan(STATISTIC_TOLERANCE);
              // The oracle takes the same step so that both stand at the same parameters again.
              const after = await model.readParameters();
              expect(
                after.some((p, i) => p.some((v, j) => v !== before[i]?.[j])),
                'the step was taken',
              ).toBe(true);
              oracle.writeParameters(after);
            }
            // A pass whose loss is not finite returns ξ not finite and leaves the parameters alone.
            const poisoned = (await model.readParameters()).map((p) => p.slice());
            (poisoned.at(-1) as Float32Array)[0] = Number.NaN;
            model.writeParameters(poisoned);
            const refused = await model.sgdStep(BATCH, { learningRate }, { gradientVariance: true });
            expect(refused.applied).toBe(false);
            expect(await model.readParameters()).toEqual(poisoned);
          }
          await expect(
            model.sgdStep(BATCH, { learningRate: 0.1 }, { gradientVariance: { fidelity: 'nosuch' } as never }),
          ).rejects.toThrow(/gradientVariance/);
        });
        test('bad-input', async () => {
          const { model } = await setup();
          await expect(model.evaluate([])).rejects.toMatchObject({ code: 'abs.empty-batch' });
          await expect(model.evaluate([0, dataset.size])).rejects.toMatchObject({ code: 'abs.invalid-argument' });
          await expect(model.evaluate([-1])).rejects.toMatchObject({ code: 'abs.invalid-argument' });
          await expect(model.evaluate([0.5])).rejects.toMatchObject({ code: 'abs.invalid-argument' });
          await expect(model.evaluate([0, 1], { exampleWeights: new Float32Array(3) })).rejects.toMatchObject({
            code: normLayer ? 'abs.unsupported-capability' : 'abs.shape-mismatch',
          });
          const k = classes + 1;
          const wrong = model.ops.fromArray(new Float32Array(2 * k), [2, k]);
          await expect(model.evaluate([0, 1], { outputGradient: wrong })).rejects.toMatchObject({
            code: 'abs.shape-mismatch',
          });
          expect(() => model.writeParameters([new Float32Array(1)])).toThrow(/number of tensors|shape/);
          const backend = await options.backend();
          const narrow = conformanceDataset({
            size: 4,
            featureShape: layout.inputShape.map((d, i) => (i === layout.inputShape.length - 1 ? d + 1 : d)),
            classes,
            seed: 1,
            regression,
          });
          await expect(backend.compile(spec, narrow)).rejects.toMatchObject({ code: 'abs.shape-mismatch' });
          model.dispose();
        });
      });
    }
  });
}
