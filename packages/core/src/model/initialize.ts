/**
 * Parameter initialisation, computed here from the seed so every backend starts from
 * bit-identical values (backends upload the arrays). Draws come from `deriveSeed(seed,
 * 'init', layer)`, so adding a layer never changes the earlier layers' values.
 */
import { createRng, deriveSeed } from '../random/rng';
import { describeSpec } from './describe-spec';
import type { ModelSpec } from './model-spec';

/**
 * Initial parameters in `describeSpec(spec).parameters` order for a spec and a seed. Weights
 * follow their layer's `init` (fans: dense `in`/`out`, conv2d `kh·kw·in`/`kh·kw·filters`);
 * biases start at `init.bias` (default 0); batch-norm γ at 1 and β at 0.
 * @example
 * const [w0] = initializeParameters(mlp([2, 3, 1]), 7); // Float32Array(6), He-normal
 */
export function initializeParameters(spec: ModelSpec, seed: number): Float32Array[] {
  const { parameters, layers } = describeSpec(spec);
  return parameters.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const layer = (layers[p.layer] as (typeof layers)[number]).spec;
    if (p.role === 'gamma') return values.fill(1);
    if (layer.kind === 'batchNorm' || p.role === 'beta') return values;
    const init = layer.init;
    if (p.role === 'bias') {
      if (typeof init === 'object' && init.bias !== undefined) values.fill(init.bias);
      return values;
    }
    // dense [in, out]; conv2d [kh, kw, in, out]: the receptive field multiplies both fans.
    const field = p.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const fanIn = field * (p.shape.at(-2) as number);
    const fanOut = field * (p.shape.at(-1) as number);
    const rng = createRng(deriveSeed(seed, 'init', p.layer));
    if (init === 'he-normal') {
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < size; i++) values[i] = std * rng.nextNormal();
    } else if (init === 'glorot-uniform') {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) values[i] = limit * (2 * rng.nextFloat() - 1);
    } else {
      for (let i = 0; i < size; i++) {
        let z = rng.nextNormal();
        if (init.kind === 'truncated-normal') while (Math.abs(z) > 2) z = rng.nextNormal();
        values[i] = init.std * z;
      }
    }
    return values;
  });
}

/** Initial buffers in `describeSpec(spec).buffers` order: running means 0, running variances 1. */
export function initializeBuffers(spec: ModelSpec): Float32Array[] {
  return describeSpec(spec).buffers.map((b) => {
    const values = new Float32Array(b.shape.reduce((a, c) => a * c, 1));
    return b.role === 'runningVariance' ? values.fill(1) : values;
  });
}
