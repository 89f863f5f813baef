/** Dense layer z = a·W + b: forward, backward, and its per-example view (one position per example). */
import type { LayerInfo } from '@abs/core';
import { matmul, matmulBt } from '../kernels';
import type { PatchView } from './linear-statistics';
import type { JsNode, Pass } from './node';

export function denseNode(info: LayerInfo): JsNode {
  const [k, m] = [info.inputSize, info.outputSize];
  const [w, b] = info.parameters;
  return {
    inputShape: info.inputShape,
    outputShape: info.outputShape,
    forward(x, n, pass: Pass) {
      const weight = (pass.params[w as number] as { data: Float32Array }).data;
      const z = matmul(x, weight, n, k, m);
      if (b !== undefined) {
        const bias = (pass.params[b] as { data: Float32Array }).data;
        for (let i = 0; i < n; i++)
          for (let j = 0; j < m; j++) z[i * m + j] = (z[i * m + j] as number) + (bias[j] as number);
      }
      return {
        y: z,
        backward(dy, wantInput) {
          pass.record(info.index, x, dy);
          return wantInput ? matmulBt(dy, weight, n, m, k) : undefined;
        },
      };
    },
  };
}

/** Example i's "patches" are its input row: a single position. */
export function denseView(info: LayerInfo, input: Float64Array, delta: Float64Array, n: number): PatchView {
  const [k, m] = [info.inputSize, info.outputSize];
  return {
    n,
    positions: 1,
    width: k,
    channels: m,
    bias: info.parameters.length > 1,
    patches: (i) => input.subarray(i * k, (i + 1) * k),
    delta: (i) => delta.subarray(i * m, (i + 1) * m),
  };
}
