/** Elementwise activation; the derivative uses z or f(z), whichever is cheaper. */
import type { Activation } from '@abs/core';
import { activate, multiplyDerivative } from '../activation';
import type { JsNode } from './node';

export function activationNode(kind: Activation, inputShape: readonly number[]): JsNode {
  return {
    inputShape,
    outputShape: inputShape,
    forward(z) {
      const a = activate(kind, z);
      return {
        y: a,
        backward(dy, wantInput) {
          if (!wantInput) return undefined;
          // A copy: dy may be shared (a residual block's two paths receive the same gradient).
          const dz = Float64Array.from(dy);
          multiplyDerivative(kind, dz, z, a);
          return dz;
        },
      };
    },
  };
}
