/**
 * Checkpoints: everything needed to resume a run exactly — parameters (bit-exact), the
 * algorithm's state (sampler positions, optimiser buffers, EMAs), counters and the trace
 * so far. Plain JSON: `JSON.stringify` it anywhere.
 */
import type { Algorithm, StepReport } from '../algorithm/algorithm';
import { decodeState, encodeState, fromBase64, type Json, toBase64 } from '../algorithm/state-codec';
import { InvalidArgumentError } from '../errors/invalid-argument-error';
import { checkShapes } from '../model/check-batch';
import type { Model } from '../model/model';

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

/** Writes the checkpoint's parameters into the model and returns the decoded algorithm state. */
export function restoreCheckpoint<T>(model: Model<T>, algorithm: Algorithm, checkpoint: Checkpoint): object {
  if (checkpoint?.format !== 'abs-checkpoint-v1') {
    throw new InvalidArgumentError({
      argument: 'resume',
      value: checkpoint?.format,
      message: `resume: not an abs checkpoint (format ${JSON.stringify(checkpoint?.format)}, expected 'abs-checkpoint-v1')`,
    });
  }
  if (checkpoint.algorithm !== algorithm.name) {
    throw new InvalidArgumentError({
      argument: 'resume.algorithm',
      value: checkpoint.algorithm,
      message: `resume: checkpoint was written by '${checkpoint.algorithm}', not '${algorithm.name}'`,
    });
  }
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
  model.writeParameters(checkpoint.parameters.map((p) => new Float32Array(fromBase64(p.data))));
  if (expectedBuffers.length > 0) {
    model.writeBuffers?.((checkpoint.buffers ?? []).map((b) => new Float32Array(fromBase64(b.data))));
  }
  return decodeState(model.ops, checkpoint.state) as object;
}
