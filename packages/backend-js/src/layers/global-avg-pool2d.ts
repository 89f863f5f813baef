/** Mean over height and width per channel: `[h, w, c]` → `[c]`. */
import type { JsNode } from './node';

export function globalAvgPool2dNode(inputShape: readonly number[]): JsNode {
  const [h, w, c] = inputShape as [number, number, number];
  const cells = h * w;
  return {
    inputShape,
    outputShape: [c],
    forward(x, n) {
      const y = new Float64Array(n * c);
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < cells; p++) {
          for (let ch = 0; ch < c; ch++)
            y[i * c + ch] = (y[i * c + ch] as number) + (x[(i * cells + p) * c + ch] as number);
        }
      }
      for (let j = 0; j < y.length; j++) y[j] = (y[j] as number) / cells;
      return {
        y,
        backward(dy, wantInput) {
          if (!wantInput) return undefined;
          const dx = new Float64Array(x.length);
          for (let i = 0; i < n; i++) {
            for (let p = 0; p < cells; p++) {
              for (let ch = 0; ch < c; ch++) dx[(i * cells + p) * c + ch] = (dy[i * c + ch] as number) / cells;
            }
          }
          return dx;
        },
      };
    },
  };
}
