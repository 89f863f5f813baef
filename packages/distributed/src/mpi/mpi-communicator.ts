/**
 * The MPI world communicator over the bound MPICH functions. Calls block the event loop for
 * the duration of the collective (they are synchronous C calls from the main thread, hence
 * MPI_THREAD_FUNNELED); they return resolved promises to satisfy `Communicator`.
 */
import type { Communicator, ReduceOp } from '../communicator';
import { MpiCallError } from '../errors/mpi-call-error';
import { loadMpi, MPICH, type MpiFunctions } from './load-mpi';

export interface MpiCommunicator extends Communicator {
  /** The library that was loaded, e.g. `'libmpich.so.12'`. */
  readonly library: string;
  barrier(): void;
  /** Terminates every rank of the job with `code` (MPI_Abort); never returns. */
  abort(code: number): never;
  /** MPI_Finalize; the communicator cannot be used afterwards. Idempotent. */
  finalize(): void;
}

function check(call: string, status: number): void {
  if (status !== 0) throw new MpiCallError({ call, status });
}

function offsets(counts: readonly number[]): Int32Array {
  const out = new Int32Array(counts.length);
  for (let r = 1; r < counts.length; r++) out[r] = (out[r - 1] as number) + (counts[r - 1] as number);
  return out;
}

let initialized: Promise<MpiCommunicator> | undefined;

/**
 * Initialises MPI once per process (later calls return the same communicator) and returns
 * the world communicator. Run the script under `mpirun -np N node script.js`; started
 * without `mpirun`, it is a world of one rank.
 * @param options.library a library path or name instead of the search (default `ABS_MPI_LIBRARY`)
 * @throws BackendUnavailableError when no MPICH-ABI library can be loaded
 */
export function initMpi(options: { library?: string } = {}): Promise<MpiCommunicator> {
  initialized ??= start(options.library).catch((error: unknown) => {
    initialized = undefined;
    throw error;
  });
  return initialized;
}

/**
 * UCX (MPICH's network layer on Debian) installs signal handlers and patches the allocator and
 * mmap; both fight V8 (its WebAssembly traps use SIGSEGV; its threads allocate and map memory
 * while the patches go in), which crashed about one start in ten here. Off unless the user
 * set them; UCX reads them when the library loads, so they are set before it.
 */
const UCX_DEFAULTS = { UCX_ERROR_SIGNALS: '', UCX_MEM_MALLOC_HOOKS: 'no', UCX_MEM_MMAP_HOOK_MODE: 'none' } as const;

async function start(library: string | undefined): Promise<MpiCommunicator> {
  for (const [name, value] of Object.entries(UCX_DEFAULTS)) process.env[name] ??= value;
  const mpi: MpiFunctions = await loadMpi(library);
  const world = MPICH.COMM_WORLD;
  const flag = [0];
  check('MPI_Initialized', mpi.Initialized(flag));
  if (flag[0] === 0) {
    const provided = [0];
    check('MPI_Init_thread', mpi.Init_thread(null, null, MPICH.THREAD_FUNNELED, provided));
  }
  const rank = [0];
  const size = [0];
  check('MPI_Comm_rank', mpi.Comm_rank(world, rank));
  check('MPI_Comm_size', mpi.Comm_size(world, size));
  let finalized = false;
  return {
    library: mpi.path,
    rank: rank[0] as number,
    size: size[0] as number,
    async allreduce(values: Float64Array, op: ReduceOp): Promise<Float64Array> {
      const out = new Float64Array(values.length);
      const code = op === 'sum' ? MPICH.SUM : MPICH.MAX;
      check('MPI_Allreduce', mpi.Allreduce(values, out, values.length, MPICH.DOUBLE, code, world));
      return out;
    },
    async allgather(values: Float64Array, counts: readonly number[]): Promise<Float64Array> {
      const total = counts.reduce((s, c) => s + c, 0);
      const out = new Float64Array(total);
      const displacements = offsets(counts);
      const receiveCounts = Int32Array.from(counts);
      check(
        'MPI_Allgatherv',
        mpi.Allgatherv(values, values.length, MPICH.DOUBLE, out, receiveCounts, displacements, MPICH.DOUBLE, world),
      );
      return out;
    },
    async broadcast(bytes: Uint8Array, root: number): Promise<Uint8Array> {
      const length = new Float64Array([bytes.length]);
      check('MPI_Bcast', mpi.Bcast(length, 1, MPICH.DOUBLE, root, world));
      const out = rank[0] === root ? Uint8Array.from(bytes) : new Uint8Array(length[0] as number);
      check('MPI_Bcast', mpi.Bcast(out, out.length, MPICH.BYTE, root, world));
      return out;
    },
    barrier() {
      check('MPI_Barrier', mpi.Barrier(world));
    },
    abort(code: number): never {
      mpi.Abort(world, code);
      // MPI_Abort does not return; should an implementation return anyway, end this rank.
      process.exit(code);
    },
    finalize() {
      if (finalized) return;
      finalized = true;
      check('MPI_Finalize', mpi.Finalize());
    },
  };
}
