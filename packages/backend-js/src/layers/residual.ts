/** `block(x) + shortcut(x)`; the gradient flows into both paths and adds up at the input. */
import { chainForward, type JsNode, type Pass } from './node';

export function residualNode(
  block: readonly JsNode[],
  shortcut: readonly JsNode[],
  inputShape: readonly number[],
): JsNode {
  return {
    inputShape,
    outputShape: (block.at(-1) as JsNode).outputShape,
    forward(x, n, pass: Pass) {
      const main = chainForward(block, x, n, pass);
      const side = chainForward(shortcut, x, n, pass);
      const y = new Float64Array(main.y.length);
      for (let j = 0; j < y.length; j++) y[j] = (main.y[j] as number) + (side.y[j] as number);
      return {
        y,
        backward(dy) {
          // Both paths reach parameters (or the input), so both always run backward.
          const a = main.backward(dy, true) as Float64Array;
          const b = side.backward(dy, true) as Float64Array;
          const dx = new Float64Array(a.length);
          for (let j = 0; j < dx.length; j++) dx[j] = (a[j] as number) + (b[j] as number);
          return dx;
        },
      };
    },
  };
}
