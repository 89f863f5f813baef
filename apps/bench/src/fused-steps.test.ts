/**
 * CABS's one-pass step (`sgdStep` with ξ) and LABPAL's normalised training calls against their
 * `evaluate` paths on every backend that has `sgdStep`: the same batch sizes (phases) step for
 * step, the same losses, ξ and learning rates to float32 precision, and the same failure guarantees.
 */
import { cabs } from '@abs/cabs';
import {
  type Backend,
  type Checkpoint,
  conv2d,
  type Dataset,
  dense,
  flatten,
  fromBase64,
  type Model,
  type ModelSpec,
  maxPool2d,
  mlp,
  relu,
  sequential,
  TrainingError,
  train,
} from '@abs/core';
import { conformanceDataset } from '@abs/core/testing';
import { labpal } from '@abs/parabola-ls';
import { describe, expect, it, type TestContext } from 'vitest';
import { type BackendName, type LoadedBackend, loadBackend } from './backends';

const NAMES: BackendName[] = ['onnx', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-node'];
const loaded = new Map<BackendName, Promise<LoadedBackend>>();

/** Backend `name`, loaded once and made current; the test is skipped, saying why, where it is unavailable. */
async function ready(name: BackendName, context: TestContext): Promise<Backend<unknown>> {
  if (!loaded.has(name)) loaded.set(name, loadBackend(name));
  const b = await (loaded.get(name) as Promise<LoadedBackend>);
  if (!('backend' in b)) return context.skip(`${name} not available: ${b.skipped}`);
  await b.activate();
  return b.backend;
}

const dense2 = mlp([12, 16, 3]);
const conv = sequential([6, 6, 2], [conv2d(4, 3, { padding: 'same' }), relu(), maxPool2d(2), flatten(), dense(3)]);
const data = (spec: ModelSpec): Dataset =>
  conformanceDataset({
    size: 96,
    featureShape: spec.inputShape as number[],
    classes: 3,
    seed: 7,
  });

/** `model` with its `sgdStep` calls counted (everything else is the model's own). */
function counted<T>(model: Model<T>) {
  const counter = { calls: 0 };
  const view = Object.create(model) as Model<T>;
  const sgdStep = model.sgdStep?.bind(model);
  if (sgdStep) {
    view.sgdStep = (...args) => {
      counter.calls += 1;
      return sgdStep(...args);
    };
  }
  return { view, counter };
}

for (const name of NAMES) {
  describe(`one-pass steps on ${name}`, () => {
    const cases = [
      ['mlp', dense2, 'exact'],
      ['conv', conv, 'exact'],
      ['conv', conv, 'reference'],
    ] as const;
    for (const [title, spec, fidelity] of cases) {
      it(`cabs, ${title}, ${fidelity}: the same run as the evaluate path, step for step`, async (context) => {
        const backend = await ready(name, context);
        const dataset = data(spec);
        // c and μ make the batch size move within 30 steps on these small problems.
        const options = { learningRate: 0.2, bsMin: 4, bsMax: 64, initialBatchSize: 4, c: 6, emaDecay: 0.8, fidelity };
        const unfusedModel = await backend.compile(spec, dataset, { seed: 3 });
        const reference = await train(unfusedModel, cabs({ ...options, fused: false }), { steps: 30, seed: 5 });
        const fusedModel = await backend.compile(spec, dataset, { seed: 3 });
        const { view, counter } = counted(fusedModel);
        const run = await train(view, cabs(options), { steps: 30, seed: 5 });
        expect(counter.calls, 'every step went through sgdStep').toBe(30);
        const sizes = (trace: typeof run.trace) => trace.map((r) => r.batchSize);
        expect(sizes(run.trace)).toEqual(sizes(reference.trace));
        expect(new Set(sizes(run.trace)).size, 'the batch size moved').toBeGreaterThan(1);
        run.trace.forEach((r, t) => {
          const e = reference.trace[t] as (typeof reference.trace)[number];
          expect(Math.abs(r.loss - e.loss), `loss at step ${t + 1}`).toBeLessThan(1e-4 * Math.max(1, e.loss));
          expect(Math.abs(r.xi - e.xi), `ξ at step ${t + 1}: ${r.xi} vs ${e.xi}`).toBeLessThan(
            2e-3 * Math.max(1e-3, Math.abs(e.xi)),
          );
        });
        const [a, e] = [await fusedModel.readParameters(), await unfusedModel.readParameters()];
        a.forEach((p, i) => {
          const q = e[i] as Float32Array;
          const largest = q.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
          const worst = p.reduce((m, v, j) => Math.max(m, Math.abs(v - (q[j] as number))), 0);
          // Float32 rounding differences between the two graphs compound over 30 steps at α = 0.2.
          expect(worst, `parameter ${i}`).toBeLessThan(1e-2 * Math.max(1, largest));
        });
        fusedModel.dispose();
        unfusedModel.dispose();
      });
    }

    it('labpal NSGD: training calls through the normalised sgdStep follow the unfused run', async (context) => {
      const backend = await ready(name, context);
      const dataset = data(dense2);
      const options = { batchSize: 8, approxBatches: 3, reuseSteps: 6 };
      const plain = await backend.compile(dense2, dataset, { seed: 3 });
      // The same model without its fast path: every training call takes the unfused route.
      const unfusedView = Object.assign(Object.create(plain) as Model<unknown>, { sgdStep: undefined });
      const reference = await train(unfusedView, labpal(options), { steps: 30, seed: 5 });
      const fusedModel = await backend.compile(dense2, dataset, { seed: 3 });
      const { view, counter } = counted(fusedModel);
      const run = await train(view, labpal(options), { steps: 30, seed: 5 });
      const training = reference.trace.filter((r) => r.phase === 'train').length;
      expect(counter.calls, 'every training call went through sgdStep').toBe(training);
      expect(training).toBeGreaterThan(10);
      // Every training call agrees to float32 rounding, and so do the losses of the next
      // measuring window. Its parabola fit, though, turns 1e-7 differences in the probe losses
      // into a step size a few percent apart (the same happens between two backends), so the
      // runs are compared up to that new step size.
      const phases = reference.trace.map((r) => r.phase);
      const firstTrain = phases.indexOf('train');
      const remeasure = phases.indexOf('measure', firstTrain);
      const newStep = phases.indexOf('train', remeasure);
      expect(firstTrain > 0 && remeasure > firstTrain && newStep > remeasure, phases.join(' ')).toBe(true);
      expect(run.trace.slice(0, newStep).map((r) => r.phase)).toEqual(phases.slice(0, newStep));
      run.trace.slice(0, newStep).forEach((r, t) => {
        const e = reference.trace[t] as (typeof reference.trace)[number];
        expect(Math.abs(r.loss - e.loss), `loss at call ${t + 1}`).toBeLessThan(1e-6 * Math.max(1, e.loss));
        if (t < remeasure) {
          expect(Math.abs(r.learningRate - e.learningRate), `learning rate at call ${t + 1}`).toBeLessThan(
            1e-6 * Math.max(1e-3, e.learningRate),
          );
        }
      });
      plain.dispose();
      fusedModel.dispose();
    });

    it('cabs: a diverging run stops at the last good parameters, which resume', async (context) => {
      const backend = await ready(name, context);
      const dataset = data(dense2);
      const model = await backend.compile(dense2, dataset, { seed: 3 });
      const error = (await train(model, cabs({ learningRate: 1e12, bsMin: 4, bsMax: 64 }), { steps: 50 }).catch(
        (e: unknown) => e,
      )) as TrainingError;
      expect(TrainingError.isInstance(error)).toBe(true);
      expect(error.cause).toMatchObject({ code: expect.stringMatching(/^abs\./) });
      const parameters = await model.readParameters();
      expect(
        parameters.every((p) => p.every(Number.isFinite)),
        'the model holds finite parameters',
      ).toBe(true);
      const checkpoint = error.checkpoint as Checkpoint;
      expect(checkpoint).toBeDefined();
      const saved = checkpoint.parameters.map((p) => Array.from(new Float32Array(fromBase64(p.data))));
      expect(
        saved.every((p) => p.every(Number.isFinite)),
        'the checkpoint holds finite parameters',
      ).toBe(true);
      const again = await backend.compile(dense2, dataset, { seed: 3 });
      const resumed = await train(again, cabs({ learningRate: 1e-3, bsMin: 4, bsMax: 64 }), {
        steps: 2,
        resume: checkpoint,
        allowConfigChange: true,
      });
      expect(resumed.trace.at(-1)?.loss).toSatisfy(Number.isFinite);
      model.dispose();
      again.dispose();
    });
  });
}
