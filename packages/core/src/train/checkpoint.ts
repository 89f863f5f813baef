/**
 * Checkpoints: everything needed to resume a run exactly — parameters (bit-exact), the
 * algorithm's state (sampler positions, optimiser buffers, EMAs), counters and the trace
 * so far. Plain JSON: `JSON.stringify` it anywhere.
 */
import type { Algorithm, StepReport } from '../algorithm/algorithm';
import { decodeState, disposeState, encodeState, fromBase64, type Json, toBase64 } from '../algorithm/state-codec';
import { InvalidCheckpointError } from '../errors/invalid-checkpoint-error';
import { formatValue } from '../errors/invalid-hyper-parameter-error';
import { checkShapes } from '../model/check-batch';
import type { Model } from '../model/model';
import { type DatasetIdentity, datasetIdentity } from './dataset-identity';
import { validateCheckpoint } from './validate-checkpoint';

export interface TestRecord {
  readonly step: number;
  readonly examplesSeen: number;
  readonly loss: number;
  readonly accuracy: number | undefined;
}

export interface Checkpoint {
  readonly format: 'abs-checkpoint-v1';
  readonly algorithm: string;
  readonly config: Json;
  readonly step: number;
  readonly examplesSeen: number;
  readonly wallMs: number;
  readonly parameters: readonly { readonly shape: readonly number[]; readonly data: string }[];
  /** The training set it was made on; resuming checks it (absent in checkpoints of @abs/core 0.1.0). */
  readonly dataset?: DatasetIdentity;
  /** Non-trainable tensors (batch-norm running averages) of models that have them. */
  readonly buffers?: readonly { readonly shape: readonly number[]; readonly data: string }[];
  readonly state: Json;
  readonly trace: readonly StepReport[];
  readonly tests: readonly TestRecord[];
}

export async function makeCheckpoint<T>(
  model: Model<T>,
  algorithm: Algorithm,
  run: {
    state: object;
    step: number;
    examplesSeen: number;
    wallMs: number;
    trace: readonly StepReport[];
    tests: readonly TestRecord[];
  },
): Promise<Checkpoint> {
  const values = await model.readParameters();
  const buffers = model.bufferInfo?.length && model.readBuffers ? await model.readBuffers() : undefined;
  return {
    format: 'abs-checkpoint-v1',
    algorithm: algorithm.name,
    config: algorithm.config,
    step: run.step,
    examplesSeen: run.examplesSeen,
    wallMs: run.wallMs,
    dataset: datasetIdentity(model.dataset),
    parameters: values.map((v, i) => ({
      shape: [...(model.parameterInfo[i]?.shape ?? [v.length])],
      data: toBase64(v),
    })),
    ...(buffers
      ? {
          buffers: buffers.map((v, i) => ({
            shape: [...(model.bufferInfo?.[i]?.shape ?? [v.length])],
            data: toBase64(v),
          })),
        }
      : {}),
    state: await encodeState(model.ops, run.state),
    trace: [...run.trace],
    tests: [...run.tests],
  };
}

/** The path and both values of the first difference between two JSON values, if any. */
function firstDifference(path: string, saved: unknown, current: unknown): [string, unknown, unknown] | undefined {
  if (Object.is(saved, current)) return undefined;
  const bothObjects = typeof saved === 'object' && saved !== null && typeof current === 'object' && current !== null;
  if (!bothObjects || Array.isArray(saved) !== Array.isArray(current)) return [path, saved, current];
  const a = saved as Record<string, unknown>;
  const b = current as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const found = firstDifference(Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`, a[key], b[key]);
    if (found) return found;
  }
  return undefined;
}

/** Throws unless the checkpoint was made on a dataset of this size, feature shape and fingerprint. */
function checkDataset(saved: DatasetIdentity | undefined, current: DatasetIdentity): void {
  if (!saved) return;
  const mismatch = firstDifference('resume.dataset', saved, current);
  if (!mismatch) return;
  const [field, was, is] = mismatch;
  const what = field === 'resume.dataset.fingerprint' ? 'data' : field.slice('resume.dataset.'.length);
  throw new InvalidCheckpointError({
    field,
    value: was,
    problem:
      `the checkpoint was made on a dataset with another ${what} (${formatValue(was)}, this model's has ` +
      `${formatValue(is)}); resume it on the dataset it was trained on`,
  });
}

export interface RestoreOptions {
  /** Resume although the algorithm's config differs from the checkpoint's (on purpose). */
  readonly allowConfigChange?: boolean;
}

/**
 * Validates the checkpoint (every field, then the algorithm, config, dataset and shapes against
 * this run, then the decoded state with `algorithm.checkState` when it has one), writes its parameters and buffers into the model and returns the decoded state.
 * Nothing is written when it throws.
 * @throws InvalidCheckpointError naming the field that is corrupted or does not match
 */
export function restoreCheckpoint<T>(
  model: Model<T>,
  algorithm: Algorithm,
  value: Checkpoint,
  options: RestoreOptions = {},
): object {
  const checkpoint = validateCheckpoint(value);
  if (checkpoint.algorithm !== algorithm.name) {
    throw new InvalidCheckpointError({
      field: 'resume.algorithm',
      value: checkpoint.algorithm,
      problem: `the checkpoint was written by '${checkpoint.algorithm}', not '${algorithm.name}'`,
    });
  }
  const changed = options.allowConfigChange
    ? undefined
    : firstDifference('resume.config', checkpoint.config, algorithm.config);
  if (changed) {
    const [field, was, is] = changed;
    throw new InvalidCheckpointError({
      field,
      value: was,
      problem:
        `the checkpoint's ${algorithm.name} config has ${formatValue(was)}, this run's has ${formatValue(is)}; ` +
        'pass allowConfigChange: true to resume with another configuration on purpose',
    });
  }
  checkDataset(checkpoint.dataset, datasetIdentity(model.dataset));
  checkShapes(
    'resume.parameters',
    model.parameterInfo.map((p) => p.shape),
    checkpoint.parameters.map((p) => p.shape),
  );
  const expectedBuffers = model.bufferInfo ?? [];
  if (expectedBuffers.length > 0 || checkpoint.buffers?.length) {
    checkShapes(
      'resume.buffers',
      expectedBuffers.map((b) => b.shape),
      (checkpoint.buffers ?? []).map((b) => b.shape),
    );
  }
  const state = decodeState(model.ops, checkpoint.state) as object;
  try {
    algorithm.checkState?.(model, state);
  } catch (error) {
    disposeState(model.ops, state);
    throw error;
  }
  model.writeParameters(checkpoint.parameters.map((p) => new Float32Array(fromBase64(p.data))));
  if (expectedBuffers.length > 0) {
    model.writeBuffers?.((checkpoint.buffers ?? []).map((b) => new Float32Array(fromBase64(b.data))));
  }
  return state;
}
