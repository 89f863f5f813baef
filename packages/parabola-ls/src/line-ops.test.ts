/**
 * The line search's list operations take the same path to the bit with the host backend's fused
 * kernels (`probeLine`, `moveAlongLine`) as composed from the elementwise operations, which is what
 * a backend without them (TensorFlow.js) runs: PAL and LABPAL trajectories are compared step by step.
 */
import { jsBackend } from '@abs/backend-js';
import {
  type Algorithm,
  type AlgorithmState,
  createHostTensorOps,
  createRng,
  type Dataset,
  type HostTensor,
  hostTensor,
  type Model,
  mlp,
  NonFiniteError,
  type TensorOps,
} from '@abs/core';
import { describe, expect, it } from 'vitest';
import { lossModel } from './__fixtures__/line-models';
import { labpal } from './labpal';
import { checkedMove, prepareLine, probeLineList } from './line-ops';
import { pal } from './pal';

function data(size: number): Dataset {
  const rng = createRng(4);
  const labels = Int32Array.from({ length: size }, (_, i) => i % 3);
  const features = Float32Array.from(
    { length: size * 6 },
    (_, j) => (labels[Math.floor(j / 6)] as number) - 1 + rng.nextNormal(),
  );
  return { name: 'gaussians', size, featureShape: [6], features, labels, numClasses: 3 };
}

/** The host ops without the fused line kernels: every list operation composed. */
function composedOps(ops: TensorOps<HostTensor>): TensorOps<HostTensor> {
  const { probeLine: _probe, moveAlongLine: _move, ...rest } = ops;
  return rest;
}

const withOps = (base: Model<HostTensor>, ops: TensorOps<HostTensor>): Model<HostTensor> =>
  Object.assign(Object.create(base), { ops });

const bits = (tensors: readonly HostTensor[]) => tensors.map((t) => Array.from(new Uint32Array(t.data.buffer)));

async function trajectory(algorithm: Algorithm, composed: boolean, steps: number) {
  const base = (await jsBackend().compile(mlp([6, 12, 3]), data(240), { seed: 2 })) as Model<HostTensor>;
  expect(base.ops.probeLine && base.ops.moveAlongLine).toBeDefined();
  const model = composed ? withOps(base, composedOps(base.ops)) : base;
  let state: AlgorithmState = await algorithm.init(model, { seed: 7 });
  const out: { report: string; parameters: number[][] }[] = [];
  for (let k = 0; k < steps; k++) {
    const result = await algorithm.step(model, state);
    state = result.state;
    out.push({ report: JSON.stringify(result.report), parameters: bits(model.parameters) });
  }
  return out;
}

describe('fused and composed line operations', () => {
  it.each([
    ['PAL', () => pal({ batchSize: 16 })],
    [
      'PAL with momentum and the exact derivative',
      () => pal({ batchSize: 16, directionFactor: 0.6, exactDirectionalDerivative: true }),
    ],
    ['PAL, reference', () => pal({ batchSize: 16, fidelity: 'reference', measuringStep: 0.3 })],
    ['LABPAL NSGD', () => labpal({ batchSize: 16, approxBatches: 3, reuseSteps: 12, untrustedUpdates: 4 })],
    [
      'LABPAL SGD with momentum, T_b = 2',
      () =>
        labpal({
          batchSize: 8,
          mode: 'SGD',
          momentum: 0.5,
          approxBatches: 4,
          reuseSteps: 10,
          untrustedUpdates: 4,
          batchSizeSchedule: [[0, 2]],
        }),
    ],
  ] as const)('%s: the same trajectory to the bit', async (_name, make) => {
    const fused = await trajectory(make(), false, 40);
    const composed = await trajectory(make(), true, 40);
    expect(fused.map((s) => s.report)).toEqual(composed.map((s) => s.report));
    fused.forEach((s, k) => expect(s.parameters, `step ${k + 1}`).toEqual(composed[k]?.parameters));
    // The run moved: a trajectory that stood still would compare equal vacuously.
    expect(fused.at(-1)?.parameters).not.toEqual(fused[0]?.parameters);
  });

  const ops = createHostTensorOps('host');
  const model = {
    ops,
    parameterInfo: [
      { name: 'dense0/weight', shape: [2, 2] },
      { name: 'dense0/bias', shape: [2] },
    ],
  } as unknown as Pick<Model<HostTensor>, 'ops' | 'parameterInfo'>;
  const origin = [hostTensor(Float32Array.of(1, -2, 0.5, 3), [2, 2]), hostTensor(Float32Array.of(0.25, -1), [2])];
  const direction = [hostTensor(Float32Array.of(2, 1, -1, 0), [2, 2]), hostTensor(Float32Array.of(3e38, 1), [2])];

  it.each([
    ['fused', ops],
    ['composed', composedOps(ops)],
  ] as const)(
    '%s: a move to a non-finite point throws naming the parameter, and frees what it made',
    async (_name, o) => {
      const disposed: HostTensor[] = [];
      const counting = { ...o, dispose: (x: HostTensor) => void disposed.push(x) };
      const line = { origin, direction, directionScale: 2 };
      const error = await checkedMove({ ...model, ops: counting }, line, { distance: 1, step: 9 }).catch((e) => e);
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(error).toMatchObject({ quantity: 'parameters[dense0/bias]', step: 9, value: Number.POSITIVE_INFINITY });
      // Every tensor made (two new parameters, and with the composed path two u = 2·d) is freed.
      expect(disposed).toHaveLength(o === ops ? 2 : 4);
    },
  );

  it.each([
    ['fused', false],
    ['composed', true],
  ] as const)(
    '%s: a PAL move that overflows float32 is not applied (NonFiniteError naming the parameter)',
    async (_name, composed) => {
      // ℓ = 0 with g = −1 from θ = 2e38: the probe at μ = 1e38 is finite, the fit gives s = α·ŝ/2 = 5e38,
      // and θ + s·u = 7e38 is Infinity as a float32; θ stays 2e38.
      const base = lossModel([2e38], () => ({ loss: 0, gradient: [-1] }));
      expect(base.ops.moveAlongLine).toBeDefined();
      const model = composed ? withOps(base, composedOps(base.ops)) : base;
      const algorithm = pal({ batchSize: 2, measuringStep: 1e38, updateStepAdaptation: 10, maxStepSize: 1e39 });
      const error = await algorithm.step(model, await algorithm.init(model, { seed: 0 })).catch((e: unknown) => e);
      expect(NonFiniteError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe('parameters[p0] is Infinity at step 1');
      expect((await base.readParameters())[0]).toEqual(Float32Array.of(2e38));
    },
  );

  it('a probe on the composed path frees its tensors when a reduction fails', async () => {
    const live = new Set<HostTensor>();
    const base = composedOps(ops);
    const failing: TensorOps<HostTensor> = {
      ...base,
      scale: (x, s) => track(base.scale(x, s)),
      axpby: (...args) => track(base.axpby(...args)),
      sub: (a, b) => track(base.sub(a, b)),
      dot: async (a, b) => (a.shape.length === 1 ? Promise.reject(new Error('lost device')) : base.dot(a, b)),
      dispose: (x) => void live.delete(x),
    };
    function track(x: HostTensor): HostTensor {
      live.add(x);
      return x;
    }
    await expect(probeLineList(failing, { origin, direction, directionScale: 0.5 }, 1)).rejects.toThrow('lost device');
    expect(live.size).toBe(0);
  });

  it('prepareLine makes u = c·d once only where the kernels are missing', () => {
    const line = { origin, direction, directionScale: -0.5 };
    expect(prepareLine(ops, line)).toEqual({ line, made: null });
    const { line: along, made } = prepareLine(composedOps(ops), line);
    expect(along.directionScale).toBe(1);
    expect(Array.from(made?.[0]?.data ?? [])).toEqual([-1, -0.5, 0.5, -0]);
    expect(along.direction).toBe(made);
  });
});
