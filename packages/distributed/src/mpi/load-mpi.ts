/**
 * Finds the system's MPI library at run time and binds the few functions abs uses. Only the
 * MPICH ABI is supported (MPICH, and the MPI libraries that share its ABI: Intel MPI,
 * MVAPICH, Cray MPICH): there, handles such as MPI_COMM_WORLD are plain ints fixed by mpi.h.
 * Open MPI's handles are addresses of its global objects (`&ompi_mpi_comm_world`), a
 * different ABI; a library that is Open MPI is refused with a `BackendUnavailableError`.
 */
import { BackendUnavailableError } from '@abs/core';
import type { LibraryHandle } from 'koffi';

/** MPICH's handle values (mpich/mpi.h). */
export const MPICH = {
  COMM_WORLD: 0x44000000,
  BYTE: 0x4c00010d,
  INT: 0x4c000405,
  DOUBLE: 0x4c00080b,
  SUM: 0x58000003,
  MAX: 0x58000001,
  THREAD_FUNNELED: 1,
} as const;

/** Library names tried in order when `ABS_MPI_LIBRARY` is not set. */
export const MPI_LIBRARY_CANDIDATES = [
  'libmpich.so.12',
  'libmpi.so.12',
  'libmpich.so',
  'libmpich.12.dylib',
  'libmpi.12.dylib',
  'libmpi.so.40',
  'libmpi.so',
  'libmpi.40.dylib',
] as const;

const INSTALL =
  'install MPICH (Debian/Ubuntu: apt-get install mpich libmpich-dev; macOS: brew install mpich) or set ABS_MPI_LIBRARY to the path of an MPICH-ABI libmpi';

type Pointer = Float64Array | Int32Array | Uint8Array | number[] | null;

/** The bound functions; each returns MPI's status code. */
export interface MpiFunctions {
  readonly path: string;
  Initialized(flag: number[]): number;
  Init_thread(argc: null, argv: null, required: number, provided: number[]): number;
  Comm_rank(comm: number, rank: number[]): number;
  Comm_size(comm: number, size: number[]): number;
  Allreduce(send: Pointer, receive: Pointer, count: number, type: number, op: number, comm: number): number;
  Allgatherv(
    send: Pointer,
    sendCount: number,
    sendType: number,
    receive: Pointer,
    counts: Int32Array,
    displacements: Int32Array,
    receiveType: number,
    comm: number,
  ): number;
  Bcast(buffer: Pointer, count: number, type: number, root: number, comm: number): number;
  Barrier(comm: number): number;
  Abort(comm: number, code: number): number;
  Finalize(): number;
}

async function loadKoffi(): Promise<{ load(path: string): LibraryHandle }> {
  try {
    const module = await import('koffi');
    return module.default ?? module;
  } catch (cause) {
    throw new BackendUnavailableError({
      backend: 'mpi',
      reason: "the 'koffi' package (the FFI that reaches MPI) could not be loaded; reinstall @abs/distributed",
      cause,
    });
  }
}

function isOpenMpi(library: LibraryHandle): boolean {
  try {
    library.symbol('ompi_mpi_comm_world');
    return true;
  } catch {
    return false;
  }
}

/**
 * @param path a library path or name to use instead of the search (default: `ABS_MPI_LIBRARY`)
 * @throws BackendUnavailableError naming every library tried and how to install MPICH
 */
export async function loadMpi(
  path: string | undefined = process.env.ABS_MPI_LIBRARY || undefined,
): Promise<MpiFunctions> {
  const koffi = await loadKoffi();
  const candidates = path ? [path] : MPI_LIBRARY_CANDIDATES;
  const failures: string[] = [];
  for (const candidate of candidates) {
    let library: LibraryHandle;
    try {
      library = koffi.load(candidate);
    } catch {
      failures.push(candidate);
      continue;
    }
    if (isOpenMpi(library)) {
      throw new BackendUnavailableError({
        backend: 'mpi',
        reason: `${candidate} is Open MPI, whose handle ABI (pointers to ompi_mpi_* objects) @abs/distributed does not support; ${INSTALL}`,
      });
    }
    const f = (signature: string): unknown => {
      try {
        return library.func(signature);
      } catch (cause) {
        throw new BackendUnavailableError({
          backend: 'mpi',
          reason: `${candidate} is not an MPI library (cannot bind ${signature}); ${INSTALL}`,
          cause,
        });
      }
    };
    return {
      path: candidate,
      Initialized: f('int MPI_Initialized(_Out_ int *flag)'),
      Init_thread: f('int MPI_Init_thread(void *argc, void *argv, int required, _Out_ int *provided)'),
      Comm_rank: f('int MPI_Comm_rank(int comm, _Out_ int *rank)'),
      Comm_size: f('int MPI_Comm_size(int comm, _Out_ int *size)'),
      Allreduce: f('int MPI_Allreduce(const void *send, void *receive, int count, int type, int op, int comm)'),
      Allgatherv: f(
        'int MPI_Allgatherv(const void *send, int sendCount, int sendType, void *receive, const int *counts, const int *displacements, int receiveType, int comm)',
      ),
      Bcast: f('int MPI_Bcast(void *buffer, int count, int type, int root, int comm)'),
      Barrier: f('int MPI_Barrier(int comm)'),
      Abort: f('int MPI_Abort(int comm, int code)'),
      Finalize: f('int MPI_Finalize()'),
    } as unknown as MpiFunctions;
  }
  throw new BackendUnavailableError({
    backend: 'mpi',
    reason: `no MPI library found (tried ${failures.join(', ')}); ${INSTALL}`,
  });
}
