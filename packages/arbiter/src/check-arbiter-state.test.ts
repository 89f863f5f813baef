/**
 * `arbiter().checkState`: a checkpoint whose state is corrupted fails at resume with an
 * `InvalidCheckpointError` naming the field (README “API”), before the agent is rebuilt and
 * with the inner model untouched; a sound one still resumes bit-identically.
 */
import { jsBackend } from '@abs/backend-js';
import { type Checkpoint, createRng, type Dataset, InvalidCheckpointError, mlp, train } from '@abs/core';
import { expectExactResume } from '@abs/core/testing';
import { describe, expect, it } from 'vitest';
import { arbiter } from './arbiter';

/** 60 examples of two noisy classes in 4-D: 48 train the inner model, 12 are validation. */
function twoClasses(): Dataset {
  const rng = createRng(7);
  const labels = Int32Array.from({ length: 60 }, (_, i) => i % 2);
  const features = Float32Array.from({ length: 240 }, (_, k) => (labels[k >> 2] === 1 ? 1 : -1) + rng.nextNormal());
  return { name: 'two-classes', size: 60, featureShape: [4], features, labels, numClasses: 2 };
}

const compile = () => jsBackend().compile(mlp([4, 6, 2]), twoClasses(), { seed: 1 });
const algorithm = () => arbiter({ sMin: 2, sMax: 16, initialBatchSize: 8, nSamples: 3, warmup: false });

type State = Record<string, Record<string, unknown>>;
const f64 = (values: number[]) => ({
  $f64: btoa(String.fromCharCode(...new Uint8Array(Float64Array.from(values).buffer))),
});
const cases: [string, (state: State) => unknown, string][] = [
  ['an empty state', () => ({}), 'resume.state.step'],
  ['a training split of another dataset', (s) => ({ ...s, trainSize: 50 }), 'resume.state.trainSize'],
  ['another injection layer', (s) => ({ ...s, injectionLayer: 0 }), 'resume.state.injectionLayer'],
  ['a zero batch size', (s) => ({ ...s, batchSize: 0 }), 'resume.state.batchSize'],
  [
    'a sampler over the whole dataset',
    (s) => ({ ...s, sampler: { ...s.sampler, size: 60 } }),
    'resume.state.sampler.size',
  ],
  [
    'an inner momentum state without its buffer',
    (s) => ({ ...s, inner: { ...s.inner, slots: {} } }),
    'resume.state.inner.slots',
  ],
  ['φ with a tensor missing', (s) => ({ ...s, phi: (s.phi as unknown as unknown[]).slice(1) }), 'resume.state.phi'],
  [
    'φ’s Adam state without v',
    (s) => ({ ...s, phiAdam: { ...s.phiAdam, slots: { m: (s.phiAdam?.slots as { m?: unknown } | undefined)?.m } } }),
    'resume.state.phiAdam.slots',
  ],
  [
    'running averages for the MLP agent',
    (s) => ({ ...s, agentBuffers: [{ $f32: 'AAAAAA==' }] }),
    'resume.state.agentBuffers',
  ],
  ['m of the wrong width', (s) => ({ ...s, m: f64([1, 2]) }), 'resume.state.m'],
  [
    'm’s Adam moments of the wrong width',
    (s) => ({ ...s, mAdam: { ...s.mAdam, v: f64([0]) } }),
    'resume.state.mAdam.v',
  ],
  ['α with a NaN', (s) => ({ ...s, alpha: f64([0, Number.NaN, 1]) }), 'resume.state.alpha'],
  [
    'α’s Adam step that is a string',
    (s) => ({ ...s, alphaAdam: { ...s.alphaAdam, step: '2' } }),
    'resume.state.alphaAdam.step',
  ],
  ['no α draw', (s) => ({ ...s, alphaDraws: 0 }), 'resume.state.alphaDraws'],
  ['two candidate logits for K = 3', (s) => ({ ...s, lastLogits: f64([0, 1]) }), 'resume.state.lastLogits'],
  ['a negative warm-up target', (s) => ({ ...s, pendingWarmup: -8 }), 'resume.state.pendingWarmup'],
];

describe('arbiter checks the state it resumes', () => {
  it.each(cases)('%s → InvalidCheckpointError naming the field, the model untouched', async (_, edit, field) => {
    const half = await train(await compile(), algorithm(), { steps: 3, seed: 4 });
    const checkpoint = JSON.parse(JSON.stringify(await half.checkpoint())) as Checkpoint & { state: State };
    half.dispose();
    const model = await compile();
    const before = await model.readParameters();
    const resume = { ...checkpoint, state: edit(checkpoint.state) } as Checkpoint;
    const error = await train(model, algorithm(), { steps: 5, seed: 4, resume }).catch((e: unknown) => e);
    expect(InvalidCheckpointError.isInstance(error), String(error)).toBe(true);
    expect((error as InvalidCheckpointError).field).toBe(field);
    expect(await model.readParameters()).toEqual(before);
  });

  it('a sound checkpoint still resumes bit-identically', async () => {
    await expectExactResume({ compile, algorithm, steps: 8, cut: 3, seed: 4 });
  });
});
