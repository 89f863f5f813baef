import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsBackend } from '@abs/backend-js';
import {
  BackendUnavailableError,
  BatchTooSmallError,
  fixedBatch,
  type HostTensor,
  InvalidHyperParameterError,
  type Model,
  mlp,
  sgd,
  TrainingError,
  train,
  UnsupportedCapabilityError,
} from '@abs/core';
import { gaussianBlobs } from '@abs/data';
import { describe, expect, it } from 'vitest';
import type { Communicator } from './communicator';
import { dataParallel } from './data-parallel';
import { RankFailedError } from './errors/rank-failed-error';
import { RankMismatchError } from './errors/rank-mismatch-error';
import { assertSameOnAllRanks } from './fingerprint';
import { createLocalGroup } from './local-group';
import { loadMpi } from './mpi/load-mpi';
import { shareJson } from './share-json';
import { splitBatch } from './split-batch';
import { compile, dataset } from './test-support/problem';

/** Runs `program` on every rank of an in-process group and settles each rank's outcome. */
function onRanks<R>(size: number, program: (communicator: Communicator) => Promise<R>) {
  return Promise.allSettled(createLocalGroup(size).map(program));
}

function rejections(outcomes: PromiseSettledResult<unknown>[]): unknown[] {
  return outcomes.map((o) => (o.status === 'rejected' ? o.reason : new Error('rank did not fail')));
}

/** A model whose evaluate throws on call number `at` (1-based). */
function failingAt(model: Model<HostTensor>, at: number, error: Error): Model<HostTensor> {
  let calls = 0;
  return {
    ...model,
    get parameters() {
      return model.parameters;
    },
    evaluate: (batch, request) => {
      calls += 1;
      return calls === at ? Promise.reject(error) : model.evaluate(batch, request);
    },
  };
}

describe('a rank that fails', () => {
  it('stops every rank at the same step with the failing rank named, and train reports it', async () => {
    const outcomes = await onRanks(2, async (communicator) => {
      const local = await compile();
      const inner = communicator.rank === 1 ? failingAt(local, 4, new RangeError('out of device memory 💥')) : local;
      const model = await dataParallel(inner, { communicator });
      return train(model, fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 16 }), { steps: 10 });
    });
    for (const [rank, error] of rejections(outcomes).entries()) {
      expect(TrainingError.isInstance(error)).toBe(true);
      const training = error as TrainingError;
      expect(training.step).toBe(4);
      const cause = training.cause as RankFailedError;
      expect(RankFailedError.isInstance(cause)).toBe(true);
      expect(cause.failures).toEqual([{ rank: 1, name: 'RangeError', message: 'out of device memory 💥' }]);
      expect(cause.message).toBe(
        'distributed: 1 of 2 ranks failed to evaluate the batch (rank 1: RangeError: out of device memory 💥)',
      );
      // The failing rank keeps its own error as the cause; the others have none.
      expect(cause.cause instanceof RangeError).toBe(rank === 1);
    }
  });
});

describe('ranks that disagree are refused', () => {
  it('at start: another seed (parameters), dataset, spec or agreed value', async () => {
    const other = gaussianBlobs({ size: 512, classes: 3, dimension: 4, spread: 0.8, seed: 8 });
    const cases = [
      { subject: 'parameters', compileOn1: () => compile(2), agree: undefined },
      { subject: 'dataset', compileOn1: () => jsBackend().compile(mlp([4, 16, 3]), other, { seed: 1 }) },
      { subject: 'configuration', compileOn1: () => jsBackend().compile(mlp([4, 17, 3]), dataset, { seed: 1 }) },
      { subject: 'agreement', compileOn1: () => compile(), agree: { learningRate: 0.2 } },
    ];
    for (const { subject, compileOn1, agree } of cases) {
      const outcomes = await onRanks(2, async (communicator) => {
        const model = communicator.rank === 1 ? await compileOn1() : await compile();
        return dataParallel(model, {
          communicator,
          agree: communicator.rank === 1 && agree ? agree : { learningRate: 0.1 },
        });
      });
      for (const error of rejections(outcomes)) {
        expect(RankMismatchError.isInstance(error)).toBe(true);
        expect((error as RankMismatchError).subject).toBe(subject);
        expect((error as Error).message).toMatch(new RegExp(`^distributed: ranks disagree on the ${subject} `));
      }
    }
  });

  it('during the run: parameters that diverged, another batch or another request', async () => {
    const diverged = await onRanks(2, async (communicator) => {
      const model = await dataParallel(await compile(), { communicator, checkParametersEvery: 2 });
      await model.evaluate([1, 2, 3, 4], { gradient: true });
      if (communicator.rank === 1) {
        model.writeParameters((await model.readParameters()).map((p) => p.map((v) => v + 1e-6)));
      }
      await model.evaluate([1, 2, 3, 4], { gradient: true });
    });
    for (const error of rejections(diverged)) expect((error as RankMismatchError).subject).toBe('parameters');

    const batches = await onRanks(2, async (communicator) => {
      const model = await dataParallel(await compile(), { communicator });
      await model.evaluate(communicator.rank === 0 ? [1, 2, 3] : [1, 2, 4], { gradient: true });
    });
    for (const error of rejections(batches)) expect((error as RankMismatchError).subject).toBe('batch');

    const requests = await onRanks(2, async (communicator) => {
      const model = await dataParallel(await compile(), { communicator });
      await model.evaluate([1, 2, 3], { gradient: true, perExampleLoss: communicator.rank === 1 });
    });
    for (const error of rejections(requests)) expect((error as RankMismatchError).subject).toBe('request');
  });

  it('assertSameOnAllRanks compares any JSON value', async () => {
    const same = await onRanks(3, (c) => assertSameOnAllRanks(c, { steps: 10 }));
    expect(same.every((o) => o.status === 'fulfilled')).toBe(true);
    const differ = await onRanks(3, (c) => assertSameOnAllRanks(c, { steps: c.rank === 2 ? 11 : 10 }));
    for (const error of rejections(differ)) expect((error as RankMismatchError).subject).toBe('agreement');
  });
});

describe('what a data-parallel model does not do', () => {
  it('a global batch smaller than the number of ranks is a BatchTooSmallError on every rank', async () => {
    const outcomes = await onRanks(3, async (communicator) => {
      const model = await dataParallel(await compile(), { communicator });
      await model.evaluate([7, 8], { gradient: true });
    });
    for (const error of rejections(outcomes)) {
      expect(BatchTooSmallError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        'distributed: a global batch must give each of the 3 ranks at least one example (got 2, need ≥ 3)',
      );
    }
  });

  it("claims neither 'gram' nor 'exampleWeights', and refuses them in a request", async () => {
    const [outcome] = await onRanks(1, async (communicator) => {
      const model = await dataParallel(await compile(), { communicator });
      expect(model.capabilities.has('gram')).toBe(false);
      expect(model.capabilities.has('exampleWeights')).toBe(false);
      expect(model.capabilities.has('perExampleGradientNormSquared')).toBe(true);
      expect(model.sgdStep).toBeUndefined();
      await model.evaluate([1, 2], { gram: true });
    });
    const error = outcome?.status === 'rejected' ? outcome.reason : undefined;
    expect(UnsupportedCapabilityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "backend 'js/mpi×1' does not support capability 'gram': data-parallel models do not merge 'gram' across ranks",
    );
  });

  it('checkParametersEvery must be an integer ≥ 1', async () => {
    const [communicator] = createLocalGroup(1) as [Communicator];
    await expect(dataParallel(await compile(), { communicator, checkParametersEvery: 0 })).rejects.toThrow(
      'dataParallel: checkParametersEvery must be an integer ≥ 1, got 0',
    );
    await expect(dataParallel(await compile(), { communicator, checkParametersEvery: 0 })).rejects.toBeInstanceOf(
      InvalidHyperParameterError,
    );
  });
});

describe('pieces', () => {
  it('splitBatch gives contiguous slices differing by at most one example', () => {
    expect(splitBatch(7, 3)).toEqual({ counts: [3, 2, 2], starts: [0, 3, 5] });
    expect(splitBatch(6, 3)).toEqual({ counts: [2, 2, 2], starts: [0, 2, 4] });
    expect(splitBatch(1, 1)).toEqual({ counts: [1], starts: [0] });
    expect(() => splitBatch(1, 2)).toThrow(BatchTooSmallError);
  });

  it("shareJson gives root's value to every rank", async () => {
    const outcomes = await onRanks(3, (c) => shareJson(c, c.rank === 1 ? { step: 12, trace: [1.5] } : undefined, 1));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason))).toEqual(
      new Array(3).fill({ step: 12, trace: [1.5] }),
    );
  });

  it('createLocalGroup refuses ranks that call different collectives', async () => {
    const outcomes = await onRanks(2, (c) =>
      c.rank === 0 ? c.allreduce(new Float64Array(2), 'sum') : c.allgather(new Float64Array(1), [1, 1]),
    );
    for (const error of rejections(outcomes)) {
      expect((error as Error).message).toBe(
        "createLocalGroup: collective #0 is 'allreduce:sum:2' on one rank and 'allgather:1,1' on rank 1",
      );
    }
  });

  it('a library that is Open MPI is refused, naming the ABI it lacks', async () => {
    // A stand-in with Open MPI's tell-tale symbol, built with the system's C compiler.
    const dir = mkdtempSync(join(tmpdir(), 'abs-ompi-'));
    const library = join(dir, 'libmpi.so.40');
    writeFileSync(join(dir, 'ompi.c'), 'int ompi_mpi_comm_world = 0;\n');
    const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', library, join(dir, 'ompi.c')], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) {
      console.log(`skipping the Open MPI check: no C compiler (${cc.error?.message ?? cc.stderr})`);
      return;
    }
    const error = await loadMpi(library).catch((e: unknown) => e);
    rmSync(dir, { recursive: true, force: true });
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^backend 'mpi' is unavailable: .*libmpi\.so\.40 is Open MPI, whose handle ABI \(pointers to ompi_mpi_\* objects\) @abs\/distributed does not support; install MPICH/,
    );
  });

  it('a library without the MPI functions is refused', async () => {
    const error = await loadMpi('libc.so.6').catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^backend 'mpi' is unavailable: libc\.so\.6 is not an MPI library \(cannot bind int MPI_Initialized\(_Out_ int \*flag\)\); install MPICH/,
    );
  });

  it('a missing MPI library is a BackendUnavailableError that says how to install MPICH', async () => {
    const error = await loadMpi('/nonexistent/libmpich.so.12').catch((e: unknown) => e);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "backend 'mpi' is unavailable: no MPI library found (tried /nonexistent/libmpich.so.12); install MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev; macOS: brew install mpich) or set ABS_MPI_LIBRARY to the path of an MPICH-ABI libmpi",
    );
  });
});
