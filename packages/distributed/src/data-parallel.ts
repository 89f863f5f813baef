/**
 * `dataParallel(model, { communicator })`: the same compiled model on every rank, answering
 * `evaluate` for the global batch while each rank evaluates only its contiguous slice. Every
 * rank runs the same algorithm on the same seeded batches, receives the same merged answer
 * and so takes the same step: parameters stay identical without being sent, and no
 * algorithm changes. Each evaluation is one small all-reduce (failures and fingerprints of
 * batch, request and, periodically, parameters), one all-reduce of the sums and, when
 * per-example quantities are asked, one all-gather.
 */
import {
  type BatchIndices,
  type Capability,
  checker,
  type EvaluateRequest,
  type EvaluateResult,
  InvalidArgumentError,
  type Model,
  UnsupportedCapabilityError,
} from '@abs/core';
import type { Communicator } from './communicator';
import { RankFailedError } from './errors/rank-failed-error';
import { agreeOnFingerprints, type Fingerprint, FNV_OFFSET, hashBytes, hashJson, throwOnMismatch } from './fingerprint';
import { gatherFailures } from './gather-failures';
import { disposeResult, mergeResults } from './merge-results';
import { splitBatch } from './split-batch';

/**
 * Capabilities the wrapper does not offer. A Gram matrix K[i,j] = ⟨g_i, g_j⟩ pairs examples on
 * different ranks, so it needs every rank's per-example gradients (O(n·P) traffic per step);
 * and DBA's example weights are a function of the whole Gram. Selecting within each rank's
 * block instead would change DBA's selection with the number of ranks, breaking the promise
 * that a run does not depend on it.
 */
export const UNSUPPORTED_CAPABILITIES = ['gram', 'exampleWeights'] as const satisfies readonly Capability[];

export interface DataParallelOptions {
  readonly communicator: Communicator;
  /**
   * A JSON-serialisable value that must be equal on every rank, checked at creation beside the
   * spec, dataset and parameters: pass the algorithm's config and the training options
   * (e.g. `{ algorithm: algo.config, seed, steps }`).
   */
  readonly agree?: unknown;
  /** Compare a fingerprint of the parameters across ranks every this many evaluations (default 10). */
  readonly checkParametersEvery?: number;
}

export interface DataParallelModel<T> extends Model<T> {
  readonly communicator: Communicator;
  readonly rank: number;
  readonly size: number;
  /** True on rank 0, the rank that should write checkpoints, progress and results. */
  readonly isRoot: boolean;
  /** The wrapped single-process model (evaluates this rank's slices). */
  readonly local: Model<T>;
}

async function parameterHash<T>(model: Model<T>): Promise<number> {
  let h = FNV_OFFSET;
  for (const values of await model.readParameters()) h = hashBytes(h, values);
  return h;
}

function datasetHash(model: Model<unknown>): number {
  const { dataset } = model;
  let h = hashJson({ name: dataset.name, size: dataset.size, featureShape: dataset.featureShape });
  h = hashBytes(h, dataset.features);
  if (dataset.labels) h = hashBytes(h, dataset.labels);
  if (dataset.targets) h = hashBytes(h, dataset.targets);
  return h;
}

/** What a request asks for, without the tensors: equal on every rank that makes the same call. */
function requestShape<T>(request: EvaluateRequest<T>): unknown {
  return {
    perExampleLoss: request.perExampleLoss === true,
    gradient: request.gradient === true,
    secondMoment: request.secondMoment === true,
    norms: request.perExampleGradientNormSquared === true,
    parameters: request.parameters !== undefined,
    features: request.features?.layer ?? null,
    replaceFeatures: request.replaceFeatures?.layer ?? null,
    outputGradient: request.outputGradient !== undefined,
    outputs: request.outputs === true,
  };
}

/** Rows [start, start + count) of a batch-major tensor, as a new tensor. */
async function sliceRows<T>(
  model: Model<T>,
  tensor: T,
  { start, count, n }: { start: number; count: number; n: number },
  what: string,
) {
  const shape = model.ops.shape(tensor);
  if (shape[0] !== n) {
    throw new InvalidArgumentError({
      argument: what,
      value: shape,
      message: `distributed: ${what} must have one row per example of the batch (${n}), got shape [${shape.join(', ')}]`,
    });
  }
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const values = await model.ops.read(tensor);
  return model.ops.fromArray(values.slice(start * width, (start + count) * width), [count, ...shape.slice(1)]);
}

/**
 * Collective (call it on every rank): wraps `model` so that it evaluates global batches
 * data-parallel. Checks first that every rank has the same backend, spec, dataset, initial
 * parameters and `agree` value.
 * @throws RankMismatchError on every rank when they differ
 * @example
 * const mpi = await initMpi();
 * const model = await dataParallel(await jsBackend().compile(mlp([784, 512, 10]), data.train, { seed: 1 }), {
 *   communicator: mpi,
 * });
 * await train(model, cabs({ learningRate: 0.1 }), { steps: 8000, onEvent: model.isRoot ? log : undefined });
 */
export async function dataParallel<T>(model: Model<T>, options: DataParallelOptions): Promise<DataParallelModel<T>> {
  const { communicator } = options;
  const c = checker('dataParallel');
  const checkEvery = c.integer('checkParametersEvery', options.checkParametersEvery ?? 10, { gte: 1 });
  const { rank, size } = communicator;
  const starting: Fingerprint[] = [
    {
      subject: 'configuration',
      hash: hashJson({ backend: model.backend, spec: model.spec, parameters: model.parameterInfo }),
    },
    { subject: 'dataset', hash: datasetHash(model as Model<unknown>) },
    { subject: 'parameters', hash: await parameterHash(model) },
    { subject: 'agreement', hash: hashJson(options.agree ?? null) },
  ];
  await agreeOnFingerprints(communicator, starting);

  const capabilities = new Set(
    [...model.capabilities].filter((cap) => !(UNSUPPORTED_CAPABILITIES as readonly Capability[]).includes(cap)),
  );
  let evaluations = 0;

  async function evaluate(batch: BatchIndices, request: EvaluateRequest<T> = {}): Promise<EvaluateResult<T>> {
    for (const capability of UNSUPPORTED_CAPABILITIES) {
      if (request[capability] !== undefined && request[capability] !== false) {
        throw new UnsupportedCapabilityError({
          capability,
          backend: wrapped.backend,
          detail: `data-parallel models do not merge '${capability}' across ranks`,
        });
      }
    }
    const n = batch.length;
    const split = splitBatch(n, size);
    evaluations += 1;
    const checkParameters = evaluations % checkEvery === 0;
    let local: EvaluateResult<T> | undefined;
    let failure: unknown;
    let fingerprints: Fingerprint[] = [];
    try {
      fingerprints = [
        { subject: 'batch', hash: hashBytes(FNV_OFFSET, Int32Array.from(batch)) },
        { subject: 'request', hash: hashJson(requestShape(request)) },
        { subject: 'parameters', hash: checkParameters ? await parameterHash(model) : 0 },
      ];
      const start = split.starts[rank] as number;
      const count = split.counts[rank] as number;
      const slice = Array.prototype.slice.call(batch, start, start + count) as number[];
      const localRequest: { -readonly [K in keyof EvaluateRequest<T>]: EvaluateRequest<T>[K] } = { ...request };
      if (request.replaceFeatures) {
        const { layer, features } = request.replaceFeatures;
        const rows = await sliceRows(model, features, { start, count, n }, 'replaceFeatures.features');
        localRequest.replaceFeatures = { layer, features: rows };
      }
      if (request.outputGradient !== undefined) {
        localRequest.outputGradient = await sliceRows(
          model,
          request.outputGradient,
          { start, count, n },
          'outputGradient',
        );
      }
      try {
        local = await model.evaluate(slice, localRequest);
      } finally {
        if (localRequest.replaceFeatures !== request.replaceFeatures && localRequest.replaceFeatures) {
          model.ops.dispose(localRequest.replaceFeatures.features);
        }
        if (localRequest.outputGradient !== request.outputGradient && localRequest.outputGradient !== undefined) {
          model.ops.dispose(localRequest.outputGradient);
        }
      }
    } catch (error) {
      failure = error;
    }
    // Header: [any rank failed, then a (max, −min) pair per fingerprint].
    const header = new Float64Array(1 + 2 * 3);
    header[0] = failure === undefined ? 0 : 1;
    fingerprints.forEach((f, i) => {
      header[1 + 2 * i] = f.hash;
      header[2 + 2 * i] = -f.hash;
    });
    const reduced = await communicator.allreduce(header, 'max');
    if ((reduced[0] as number) > 0) {
      if (local) disposeResult(model.ops, local);
      const failures = await gatherFailures(communicator, failure);
      throw new RankFailedError({ failures, size, cause: failure });
    }
    try {
      throwOnMismatch(reduced, 1, fingerprints);
    } catch (error) {
      if (local) disposeResult(model.ops, local);
      throw error;
    }
    return mergeResults(model.ops, communicator, local as EvaluateResult<T>, {
      split,
      rank,
      request: request as EvaluateRequest<unknown>,
    });
  }

  const wrapped: DataParallelModel<T> = {
    specificationVersion: model.specificationVersion,
    backend: `${model.backend}/mpi×${size}`,
    ops: model.ops,
    spec: model.spec,
    dataset: model.dataset,
    capabilities,
    parameterInfo: model.parameterInfo,
    layers: model.layers,
    get parameters() {
      return model.parameters;
    },
    setParameters: (parameters) => model.setParameters(parameters),
    readParameters: () => model.readParameters(),
    writeParameters: (values) => model.writeParameters(values),
    evaluate,
    predict: (features, count) => model.predict(features, count),
    // A sibling (e.g. Arbiter's agent) sees the same inputs on every rank: it runs whole on each.
    compileSibling: (spec, dataset, compileOptions) => model.compileSibling(spec, dataset, compileOptions),
    dispose: () => model.dispose(),
    communicator,
    rank,
    size,
    isRoot: rank === 0,
    local: model,
  };
  return wrapped;
}
