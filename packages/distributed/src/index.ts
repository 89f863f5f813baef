// @abs/distributed — data-parallel training over MPI: wrap a compiled model so every rank
// evaluates its slice of the global batch and all ranks receive the merged answer.
export type { Communicator, ReduceOp } from './communicator';
export {
  type DataParallelModel,
  type DataParallelOptions,
  dataParallel,
  UNSUPPORTED_CAPABILITIES,
} from './data-parallel';
export { MpiCallError } from './errors/mpi-call-error';
export { RankFailedError, type RankFailure } from './errors/rank-failed-error';
export { RankMismatchError, type RankMismatchSubject } from './errors/rank-mismatch-error';
export { assertSameOnAllRanks } from './fingerprint';
export { createLocalGroup } from './local-group';
export { MPI_LIBRARY_CANDIDATES } from './mpi/load-mpi';
export { initMpi, type MpiCommunicator } from './mpi/mpi-communicator';
export { runMpi } from './mpi/run-mpi';
export { shareJson } from './share-json';
export { type BatchSplit, splitBatch } from './split-batch';
