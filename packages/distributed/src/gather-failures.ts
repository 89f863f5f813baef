/**
 * How every rank learns what failed where: after a header all-reduce said that some rank
 * failed, each rank all-gathers its error's name and message (empty where it did not fail),
 * as UTF-16 code units in a float64 buffer, the one element type the communicator carries.
 */
import type { Communicator } from './communicator';
import type { RankFailure } from './errors/rank-failed-error';

function encodeText(text: string): Float64Array {
  return Float64Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
}

function decodeText(units: Float64Array): string {
  let text = '';
  for (const unit of units) text += String.fromCharCode(unit);
  return text;
}

function failureOf(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

/**
 * Collective: every rank learns every failing rank's error name and message.
 * Called only when the header said that some rank failed.
 */
export async function gatherFailures(communicator: Communicator, error: unknown): Promise<RankFailure[]> {
  const text = error === undefined ? '' : JSON.stringify(failureOf(error));
  const ones = new Array<number>(communicator.size).fill(1);
  const lengths = await communicator.allgather(new Float64Array([text.length]), ones);
  const counts = Array.from(lengths, (l) => l);
  const all = await communicator.allgather(encodeText(text), counts);
  const failures: RankFailure[] = [];
  let at = 0;
  counts.forEach((count, rank) => {
    const json = decodeText(all.subarray(at, at + count));
    at += count;
    if (json) failures.push({ rank, ...(JSON.parse(json) as { name: string; message: string }) });
  });
  return failures;
}
