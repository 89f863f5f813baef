/**
 * Batch normalisation over the last axis. Training passes normalise with the batch's mean and
 * biased variance over every example and position (m values per channel) and may fold them into
 * the running averages; inference uses the running averages. With x̂ = (x − μ)/s, s = √(σ² + ε):
 *   y = γ·x̂ + β,  ∂γ = Σ dy∘x̂,  ∂β = Σ dy,  dx = γ/(m·s)·(m·dy − Σ dy − x̂·Σ dy∘x̂)
 * (sums per channel). There is no per-example gradient: each output depends on the whole batch.
 */
import type { BatchNormLayer, HostTensor, LayerInfo } from '@abs/core';
import type { JsNode, Pass } from './node';

export function batchNormNode(info: LayerInfo, buffers: readonly [number, number]): JsNode {
  const spec = info.spec as BatchNormLayer;
  const c = info.inputShape.at(-1) as number;
  const [gammaIndex, betaIndex] = info.parameters as [number, number];
  return {
    inputShape: info.inputShape,
    outputShape: info.outputShape,
    forward(x, _n, pass: Pass) {
      const gamma = (pass.params[gammaIndex] as HostTensor).data;
      const beta = (pass.params[betaIndex] as HostTensor).data;
      const runningMean = pass.buffers[buffers[0]] as Float32Array;
      const runningVariance = pass.buffers[buffers[1]] as Float32Array;
      const m = x.length / c;
      const mean = new Float64Array(c);
      const variance = new Float64Array(c);
      if (pass.mode === 'train') {
        for (let j = 0; j < x.length; j++) mean[j % c] = (mean[j % c] as number) + (x[j] as number);
        for (let ch = 0; ch < c; ch++) mean[ch] = (mean[ch] as number) / m;
        for (let j = 0; j < x.length; j++)
          variance[j % c] = (variance[j % c] as number) + ((x[j] as number) - (mean[j % c] as number)) ** 2;
        for (let ch = 0; ch < c; ch++) variance[ch] = (variance[ch] as number) / m;
        if (pass.updateRunning) {
          for (let ch = 0; ch < c; ch++) {
            runningMean[ch] = spec.momentum * (runningMean[ch] as number) + (1 - spec.momentum) * (mean[ch] as number);
            runningVariance[ch] =
              spec.momentum * (runningVariance[ch] as number) + (1 - spec.momentum) * (variance[ch] as number);
          }
        }
      } else {
        mean.set(runningMean);
        variance.set(runningVariance);
      }
      const scale = variance.map((v) => Math.sqrt(v + spec.epsilon));
      const xhat = new Float64Array(x.length);
      const y = new Float64Array(x.length);
      for (let j = 0; j < x.length; j++) {
        const ch = j % c;
        const v = ((x[j] as number) - (mean[ch] as number)) / (scale[ch] as number);
        xhat[j] = v;
        y[j] = (gamma[ch] as number) * v + (beta[ch] as number);
      }
      return {
        y,
        backward(dy, wantInput) {
          pass.record(info.index, xhat, dy);
          if (!wantInput) return undefined;
          const sum = new Float64Array(c);
          const sumXhat = new Float64Array(c);
          for (let j = 0; j < dy.length; j++) {
            sum[j % c] = (sum[j % c] as number) + (dy[j] as number);
            sumXhat[j % c] = (sumXhat[j % c] as number) + (dy[j] as number) * (xhat[j] as number);
          }
          const dx = new Float64Array(x.length);
          for (let j = 0; j < dx.length; j++) {
            const ch = j % c;
            const k = (gamma[ch] as number) / (m * (scale[ch] as number));
            dx[j] = k * (m * (dy[j] as number) - (sum[ch] as number) - (xhat[j] as number) * (sumXhat[ch] as number));
          }
          return dx;
        },
      };
    },
  };
}

/** Σ dy∘x̂ and Σ dy per channel: the batch's summed γ and β gradients (of the per-example losses). */
export function batchNormGradient(xhat: Float64Array, dy: Float64Array, channels: number): Float64Array[] {
  const gamma = new Float64Array(channels);
  const beta = new Float64Array(channels);
  for (let j = 0; j < dy.length; j++) {
    gamma[j % channels] = (gamma[j % channels] as number) + (dy[j] as number) * (xhat[j] as number);
    beta[j % channels] = (beta[j % channels] as number) + (dy[j] as number);
  }
  return [gamma, beta];
}
