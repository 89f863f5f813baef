/**
 * Parameter initialisation, computed here from the seed so every backend starts from
 * bit-identical values (backends upload the arrays). Draws come from `deriveSeed(seed,
 * 'init', layer)`, so adding a layer never changes the earlier layers' values.
 */
import { createRng, deriveSeed } from '../random/rng';
import { describeSpec, type ModelSpec } from './model-spec';

/**
 * Initial parameters `[W0, b0, W1, b1, …]` for a spec and a seed.
 * @example
 * const [w0] = initializeParameters(mlp([2, 3, 1]), 7); // Float32Array(6), He-normal
 */
export function initializeParameters(spec: ModelSpec, seed: number): Float32Array[] {
  const { parameters } = describeSpec(spec);
  return parameters.map((p) => {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const init = spec.init;
    if (p.role === 'bias') {
      if (typeof init === 'object' && init.bias !== undefined) values.fill(init.bias);
      return values;
    }
    const [fanIn, fanOut] = p.shape as [number, number];
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
