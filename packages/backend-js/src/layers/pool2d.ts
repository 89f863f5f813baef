/**
 * Max and average pooling per channel over NHWC images, with TensorFlow's padding: `'same'`
 * windows that overhang the image ignore the missing values (max over real inputs; averages
 * divide by the count of real inputs). Max pooling routes the gradient to the first maximum.
 */
import { type Pool2dLayer, windowOutput } from '@abs/core';
import type { JsNode } from './node';

export function pool2dNode(spec: Pool2dLayer, inputShape: readonly number[]): JsNode {
  const [h, w, c] = inputShape as [number, number, number];
  const [kh, kw] = spec.poolSize;
  const [sh, sw] = spec.strides;
  const y = windowOutput(h, kh, sh, spec.padding);
  const x = windowOutput(w, kw, sw, spec.padding);
  const [rows, cols] = [y.output, x.output];
  const outputShape = [rows, cols, c];
  const out = rows * cols * c;
  /** Input offsets (within an example, before the channel) of the window at (oy, ox). */
  const windows = Array.from({ length: rows * cols }, (_, o) => {
    const [oy, ox] = [Math.floor(o / cols), o % cols];
    const cells: number[] = [];
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh + ky - y.before;
      if (iy < 0 || iy >= h) continue;
      for (let kx = 0; kx < kw; kx++) {
        const ix = ox * sw + kx - x.before;
        if (ix >= 0 && ix < w) cells.push((iy * w + ix) * c);
      }
    }
    return cells;
  });
  const max = spec.kind === 'maxPool2d';
  return {
    inputShape,
    outputShape,
    forward(input, n) {
      const result = new Float64Array(n * out);
      const argmax = max ? new Int32Array(n * out) : undefined;
      for (let i = 0; i < n; i++) {
        const base = i * h * w * c;
        windows.forEach((cells, o) => {
          for (let ch = 0; ch < c; ch++) {
            const at = i * out + o * c + ch;
            if (argmax) {
              let best = base + (cells[0] as number) + ch;
              for (const cell of cells)
                if ((input[base + cell + ch] as number) > (input[best] as number)) best = base + cell + ch;
              result[at] = input[best] as number;
              argmax[at] = best;
            } else {
              let s = 0;
              for (const cell of cells) s += input[base + cell + ch] as number;
              result[at] = s / cells.length;
            }
          }
        });
      }
      return {
        y: result,
        backward(dy, wantInput) {
          if (!wantInput) return undefined;
          const dx = new Float64Array(input.length);
          if (argmax) {
            for (let j = 0; j < dy.length; j++)
              dx[argmax[j] as number] = (dx[argmax[j] as number] as number) + (dy[j] as number);
            return dx;
          }
          for (let i = 0; i < n; i++) {
            const base = i * h * w * c;
            windows.forEach((cells, o) => {
              for (let ch = 0; ch < c; ch++) {
                const share = (dy[i * out + o * c + ch] as number) / cells.length;
                for (const cell of cells) dx[base + cell + ch] = (dx[base + cell + ch] as number) + share;
              }
            });
          }
          return dx;
        },
      };
    },
  };
}
