/**
 * Test-only: the js oracle with the gradients that are exactly zero written as zeros. The
 * gradient of a bias that feeds a batch norm is 0 (the batch mean removes it); backend-js
 * computes it in float64 as rounding noise of up to ~1e-14, and the conformance suite compares
 * each gradient relative to the reference's largest entry with a floor of 1e-12, so any other
 * backend's value for it, the exact 0 included, would be judged against that noise. This
 * reference is backend-js with those entries exact; everything else passes through.
 */
import { jsBackend } from '@abs/backend-js';
import { type Backend, type HostTensor, hostTensor, type Model } from '@abs/core';
import { biasesBeforeNorm } from '../model/layers/biases-before-norm';

export function exactReference(): Backend<HostTensor> {
  const js = jsBackend();
  return {
    ...js,
    async compile(spec, dataset, options) {
      const model = await js.compile(spec, dataset, options);
      const zero = biasesBeforeNorm(spec);
      const exact = (list: HostTensor[] | undefined) =>
        list?.map((t, p) => (zero.has(p) ? hostTensor(new Float32Array(t.data.length), [...t.shape]) : t));
      const wrapped: Model<HostTensor> = Object.create(model);
      return Object.assign(wrapped, {
        async evaluate(...args: Parameters<Model<HostTensor>['evaluate']>) {
          const result = await model.evaluate(...args);
          return result.gradient ? { ...result, gradient: exact(result.gradient) } : result;
        },
      });
    },
  };
}
