import {
  type Checkpoint,
  type Dataset,
  DisposedModelError,
  fixedBatch,
  mlp,
  NonFiniteError,
  sgd,
  TrainingError,
  train,
} from '@abs/core';
import { describe, expect, it } from 'vitest';
import { jsBackend } from './js-backend';

/** 64 examples of 20 features in 10 classes: class c is centred on +3 at feature 2c (a seeded LCG). */
function blobs(): Dataset {
  const size = 64;
  let seed = 7;
  const uniform = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const labels = Int32Array.from({ length: size }, (_, i) => i % 10);
  const features = Float32Array.from({ length: size * 20 }, (_, k) => {
    const [i, j] = [Math.floor(k / 20), k % 20];
    return uniform() + (j === 2 * (labels[i] as number) ? 3 : 0);
  });
  return { name: 'blobs', size, featureShape: [20], features, labels, numClasses: 10 };
}

describe('js model after dispose()', () => {
  it('every method fails with DisposedModelError naming it, and train does not run silently', async () => {
    const model = await jsBackend().compile(mlp([20, 16, 10]), blobs(), { seed: 1 });
    model.dispose();
    await expect(model.evaluate([0, 1], { gradient: true })).rejects.toThrow(
      'js.evaluate: the model was disposed; compile a new one',
    );
    expect(() => model.parameters).toThrow(DisposedModelError);
    expect(() => model.setParameters([])).toThrow('js.setParameters: the model was disposed');
    expect(() => model.writeParameters([])).toThrow('js.writeParameters: the model was disposed');
    await expect(model.readParameters()).rejects.toThrow('js.readParameters: the model was disposed');
    await expect(model.predict(new Float32Array(20), 1)).rejects.toThrow('js.predict: the model was disposed');
    const failure = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 8 }), {
      steps: 3,
    }).catch((e: unknown) => e);
    expect(DisposedModelError.isInstance(failure)).toBe(true);
  });
});

describe('an update that overflows float32 is not applied', () => {
  it('sgd at lr 1e6 stops naming a parameter; model and checkpoint stay finite and the checkpoint resumes', async () => {
    const data = blobs();
    const model = await jsBackend().compile(mlp([20, 16, 10]), data, { seed: 1 });
    const failure = await train(model, fixedBatch({ optimizer: sgd({ learningRate: 1e6 }), batchSize: 16 }), {
      steps: 50,
    }).catch((e: unknown) => e);
    expect(TrainingError.isInstance(failure)).toBe(true);
    const error = failure as TrainingError<Checkpoint>;
    const cause = error.cause as NonFiniteError;
    expect(NonFiniteError.isInstance(cause)).toBe(true);
    expect(cause.quantity).toMatch(/^parameters\[dense\d\/(weight|bias)\]$/);
    const finite = (values: readonly Float32Array[]) => values.every((v) => v.every(Number.isFinite));
    expect(finite(await model.readParameters())).toBe(true);
    const resumed = await jsBackend().compile(mlp([20, 16, 10]), data, { seed: 2 });
    const run = await train(resumed, fixedBatch({ optimizer: sgd({ learningRate: 1e-3 }), batchSize: 16 }), {
      steps: error.checkpoint.step + 2,
      resume: JSON.parse(JSON.stringify(error.checkpoint)),
      allowConfigChange: true,
    });
    expect(run.steps).toBe(error.checkpoint.step + 2);
    expect(finite(await resumed.readParameters())).toBe(true);
  });
});
