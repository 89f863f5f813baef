/**
 * The dataset on the device: features (N × d) and loss targets (N × k: one-hot labels for
 * softmax cross-entropy, regression targets or one-hot labels for mse), uploaded once per
 * backend and shared by every model compiled on the same dataset object (reference counted;
 * the last model's `dispose` frees them). Batches are gathered on the device.
 */
import { type Dataset, featureSize, type Loss } from '@abs/core';
import type { Tensor2D, TensorFlow } from '../tfjs-namespace';

interface Entry {
  readonly features: Tensor2D;
  readonly targets: Map<string, Tensor2D>;
  refs: number;
}

export interface DatasetTensors {
  readonly features: Tensor2D;
  /** Per-example loss targets, N × outputs. */
  readonly targets: Tensor2D;
  release(): void;
}

/** One-hot rows of width `k` (a label ≥ k gives a zero row, as in the reference backend). */
function oneHot(dataset: Dataset, k: number): Float32Array {
  const labels = dataset.labels as Int32Array;
  const out = new Float32Array(dataset.size * k);
  for (let i = 0; i < dataset.size; i++) {
    const y = labels[i] as number;
    if (y < k) out[i * k + y] = 1;
  }
  return out;
}

export function createDatasetCache(tf: TensorFlow) {
  const entries = new WeakMap<Dataset, Entry>();
  return {
    /** Uploads (or shares) the tensors of `dataset` for a model with `outputs` outputs and `loss`. */
    acquire(dataset: Dataset, loss: Loss, outputs: number): DatasetTensors {
      let entry = entries.get(dataset);
      if (!entry) {
        // No copy: like the reference backend, models read the caller's (unchanging) arrays.
        const features = tf.tensor2d(dataset.features, [dataset.size, featureSize(dataset)], 'float32');
        entry = { features, targets: new Map(), refs: 0 };
        entries.set(dataset, entry);
      }
      const useTargets = loss === 'mse' && dataset.targets !== undefined;
      const key = useTargets ? 'targets' : `one-hot:${outputs}`;
      let targets = entry.targets.get(key);
      if (!targets) {
        const values = useTargets ? (dataset.targets as Float32Array) : oneHot(dataset, outputs);
        targets = tf.tensor2d(values, [dataset.size, outputs], 'float32');
        entry.targets.set(key, targets);
      }
      entry.refs += 1;
      const held = entry;
      let released = false;
      return {
        features: held.features,
        targets,
        release() {
          if (released) return;
          released = true;
          held.refs -= 1;
          if (held.refs > 0) return;
          held.features.dispose();
          for (const t of held.targets.values()) t.dispose();
          entries.delete(dataset);
        },
      };
    },
  };
}

export type DatasetCache = ReturnType<typeof createDatasetCache>;
