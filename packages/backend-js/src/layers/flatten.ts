/** `[h, w, c]` → `[h·w·c]`: row-major NHWC data is already flat, so only the shape changes. */
import type { JsNode } from './node';

export function flattenNode(inputShape: readonly number[]): JsNode {
  return {
    inputShape,
    outputShape: [inputShape.reduce((a, b) => a * b, 1)],
    forward: (x) => ({ y: x, backward: (dy, wantInput) => (wantInput ? dy : undefined) }),
  };
}
