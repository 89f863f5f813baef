/**
 * Finding and checking the files of a CIFAR binary distribution (layout in
 * `cifar-sources.ts`). A missing folder or file is a `DatasetUnavailableError` that says
 * where the archive comes from; a file that is not whole records, or a label byte out of
 * range, is a `DataFormatError` naming the file and the byte offset.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataFormatError } from '../errors/data-format-error';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { CIFAR_HOME, type CifarSource, recordBytes } from './cifar-sources';

/**
 * Checks that `dir` holds every file of the distribution, before any is read.
 * @returns the paths of the train and test files, in order
 */
export async function locateCifarFiles(
  dir: string,
  source: CifarSource,
): Promise<{ readonly train: string[]; readonly test: string[] }> {
  const how =
    `${source.owner}() reads the binary version of ${source.title}: download ${source.archive} from ` +
    `${CIFAR_HOME}, extract it (tar -xzf ${source.archive}) and pass the folder it creates, ` +
    `${source.folder}, as dir`;
  const folder = await stat(dir).catch(() => undefined);
  for (const name of [...source.trainFiles, ...source.testFiles]) {
    const file = join(dir, name);
    if ((await stat(file).catch(() => undefined))?.isFile()) continue;
    let problem: string;
    if (!folder) problem = `the folder '${dir}' does not exist`;
    else if (!folder.isDirectory()) problem = `'${dir}' is not a folder`;
    else if ((await stat(join(dir, source.folder, name)).catch(() => undefined))?.isFile()) {
      problem = `'${dir}' has no ${name}, but its subfolder ${source.folder} has: pass '${join(dir, source.folder)}'`;
    } else problem = `'${dir}' has no ${name}`;
    throw new DatasetUnavailableError({ dataset: file, reason: `${problem}. ${how}` });
  }
  return {
    train: source.trainFiles.map((name) => join(dir, name)),
    test: source.testFiles.map((name) => join(dir, name)),
  };
}

/**
 * Reads one file of records and checks it: a whole, non-zero number of records, and every
 * label byte below its number of classes.
 * @returns the file's bytes
 */
export async function readCifarFile(file: string, source: CifarSource): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const reason = `cannot read the file (${cause instanceof Error ? cause.message : String(cause)})`;
    throw new DatasetUnavailableError({ dataset: file, reason, cause });
  }
  const fail = (problem: string, offset: number): never => {
    throw new DataFormatError({ file, format: `${source.title} binary`, problem, offset });
  };
  const size = recordBytes(source);
  if (bytes.length === 0) fail(`it is empty; its records should have ${size} bytes each`, 0);
  const partial = bytes.length % size;
  if (partial !== 0) {
    const offset = bytes.length - partial;
    fail(
      `its ${bytes.length} bytes are not a whole number of ${size}-byte records: the record at byte offset ` +
        `${offset} has ${partial} bytes (a truncated file?)`,
      offset,
    );
  }
  for (let offset = 0; offset < bytes.length; offset += size) {
    source.labels.forEach(({ name, classes }, field) => {
      const value = bytes[offset + field] as number;
      if (value >= classes) {
        fail(
          `the ${name} of record ${offset / size}, at byte offset ${offset + field}, is ${value}; ` +
            `${source.title} ${name}s are 0–${classes - 1}`,
          offset + field,
        );
      }
    });
  }
  return bytes;
}
