/**
 * `runMpi(main)`: the entry point of a data-parallel script. Initialises MPI, runs `main`
 * with the world communicator and finalises. If `main` throws on any rank, that rank prints
 * the error (prefixed with its rank) and calls MPI_Abort, which ends every rank of the job:
 * a failure never leaves the other ranks waiting in a collective. An error that every rank
 * throws from the same call (`RankFailedError`, `RankMismatchError`, alone or as a cause)
 * needs no abort: each rank prints it, finalises MPI and exits with the code, so every rank's
 * message reaches `mpirun`'s output (an abort may cut off what other ranks were printing).
 */
import { RankFailedError } from '../errors/rank-failed-error';
import { RankMismatchError } from '../errors/rank-mismatch-error';
import { initMpi, type MpiCommunicator } from './mpi-communicator';

/** True when `error` or one of its causes is an error that every rank throws from the same call. */
function thrownByEveryRank(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && depth < 8; depth++) {
    if (RankFailedError.isInstance(e) || RankMismatchError.isInstance(e)) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `\n  caused by ${error.cause.stack ?? error.cause.message}` : '';
  return `${error.stack ?? error.message}${cause}`;
}

/**
 * @param main the per-rank program; resolves when this rank is done
 * @param options.exitCode the exit code of every rank after a failure (default 1)
 * @example
 * await runMpi(async (mpi) => {
 *   const model = await dataParallel(await compile(), { communicator: mpi });
 *   await train(model, cabs({ learningRate: 0.1 }), { steps: 1000 });
 * });
 */
export async function runMpi(
  main: (mpi: MpiCommunicator) => Promise<void>,
  options: { library?: string; exitCode?: number } = {},
): Promise<void> {
  const mpi = await initMpi(options.library === undefined ? {} : { library: options.library });
  try {
    await main(mpi);
  } catch (error) {
    process.stderr.write(`[rank ${mpi.rank} of ${mpi.size}] ${describe(error)}\n`);
    const code = options.exitCode ?? 1;
    if (!thrownByEveryRank(error)) mpi.abort(code);
    mpi.finalize();
    process.exit(code);
  }
  mpi.finalize();
}
