import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataFormatError } from '../errors/data-format-error';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';
import { cifarRecord, writeCifarFiles } from './__fixtures__/cifar-records';
import { cifar10, cifar100 } from './cifar';

const root = mkdtempSync(join(tmpdir(), 'abs-data-cifar-files-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HOW_10 =
  'cifar10() reads the binary version of CIFAR-10: download cifar-10-binary.tar.gz from ' +
  'https://www.cs.toronto.edu/~kriz/cifar.html, extract it (tar -xzf cifar-10-binary.tar.gz) and ' +
  'pass the folder it creates, cifar-10-batches-bin, as dir';
const HOW_100 =
  'cifar100() reads the binary version of CIFAR-100: download cifar-100-binary.tar.gz from ' +
  'https://www.cs.toronto.edu/~kriz/cifar.html, extract it (tar -xzf cifar-100-binary.tar.gz) and ' +
  'pass the folder it creates, cifar-100-binary, as dir';

/** A CIFAR-10 folder of two-image batches, with `replace` substituted for some files. */
function cifar10Folder(name: string, replace: Record<string, Uint8Array> = {}): string {
  const two = [cifarRecord([1], 0), cifarRecord([2], 1)];
  const names = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`).concat('test_batch.bin');
  return writeCifarFiles(join(root, name), { ...Object.fromEntries(names.map((file) => [file, two])), ...replace });
}

const failure = async (load: Promise<unknown>): Promise<Error> =>
  load.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error) => error,
  );

describe('CIFAR files', () => {
  it('names the missing folder and says where the archive comes from', async () => {
    const dir = join(root, 'no-such-folder');
    const error = await failure(cifar10({ dir }));
    expect(DatasetUnavailableError.isInstance(error)).toBe(true);
    expect((error as DatasetUnavailableError).dataset).toBe(join(dir, 'data_batch_1.bin'));
    expect(error.message).toBe(
      `dataset '${join(dir, 'data_batch_1.bin')}' is unavailable: the folder '${dir}' does not exist. ${HOW_10}`,
    );
  });

  it('names a missing file, and a file given as the folder', async () => {
    const dir = writeCifarFiles(join(root, 'no-test-batch'), {
      ...Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`data_batch_${i}.bin`, [cifarRecord([0], 0)]])),
    });
    const missing = await failure(cifar10({ dir }));
    expect(missing.message).toBe(
      `dataset '${join(dir, 'test_batch.bin')}' is unavailable: '${dir}' has no test_batch.bin. ${HOW_10}`,
    );
    const file = join(dir, 'data_batch_1.bin');
    const notFolder = await failure(cifar10({ dir: file }));
    expect(notFolder.message).toBe(
      `dataset '${join(file, 'data_batch_1.bin')}' is unavailable: '${file}' is not a folder. ${HOW_10}`,
    );
  });

  it('points at the archive folder when given the folder above it', async () => {
    const parent = join(root, 'downloads');
    writeCifarFiles(join(parent, 'cifar-100-binary'), {
      'train.bin': [cifarRecord([0, 0], 0)],
      'test.bin': [cifarRecord([0, 0], 1)],
    });
    const error = await failure(cifar100({ dir: parent }));
    expect(DatasetUnavailableError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      `dataset '${join(parent, 'train.bin')}' is unavailable: '${parent}' has no train.bin, but its subfolder ` +
        `cifar-100-binary has: pass '${join(parent, 'cifar-100-binary')}'. ${HOW_100}`,
    );
    expect((await cifar100({ dir: join(parent, 'cifar-100-binary') })).train.size).toBe(1);
  });

  it.each([
    [
      'a truncated file',
      'data_batch_3.bin',
      Buffer.concat([cifarRecord([1], 0), cifarRecord([2], 1), new Uint8Array(100)]),
      // 2 whole records of 1 + 3,072 bytes end at byte 6,146; 100 bytes follow.
      'its 6246 bytes are not a whole number of 3073-byte records: the record at byte offset 6146 has 100 bytes (a truncated file?)',
      6146,
    ],
    [
      'a label out of range',
      'test_batch.bin',
      Buffer.concat([cifarRecord([9], 0), cifarRecord([10], 1)]),
      // Record 1 starts at byte 3,073, with its label.
      'the label of record 1, at byte offset 3073, is 10; CIFAR-10 labels are 0–9',
      3073,
    ],
    ['an empty file', 'data_batch_1.bin', new Uint8Array(0), 'it is empty; its records should have 3073 bytes each', 0],
  ])('rejects %s, naming the file and the byte offset', async (_, name, content, problem, offset) => {
    const dir = cifar10Folder(name.replace('.bin', ''), { [name]: content });
    const error = await failure(cifar10({ dir }));
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect(error.message).toBe(`'${join(dir, name)}' is not a valid CIFAR-10 binary file: ${problem}`);
    expect([(error as DataFormatError).file, (error as DataFormatError).offset]).toEqual([join(dir, name), offset]);
  });

  it.each([
    // Record 2's fine label is its second byte: 2·3,074 + 1 = 6,149.
    [
      [0, 0, 0, 0, 0, 100],
      'the fine label of record 2, at byte offset 6149, is 100; CIFAR-100 fine labels are 0–99',
      6149,
    ],
    [[20, 0], 'the coarse label of record 0, at byte offset 0, is 20; CIFAR-100 coarse labels are 0–19', 0],
  ])('checks both CIFAR-100 labels of every record (%j)', async (labels, problem, offset) => {
    const records = Array.from({ length: labels.length / 2 }, (_, r) => cifarRecord(labels.slice(2 * r, 2 * r + 2), r));
    const dir = writeCifarFiles(join(root, `cifar-100-${offset}`), {
      'train.bin': [cifarRecord([0, 0], 9)],
      'test.bin': records,
    });
    // Coarse labels are checked even when the datasets carry the fine ones, and vice versa.
    const error = await failure(cifar100({ dir, labels: offset === 0 ? 'fine' : 'coarse' }));
    expect(DataFormatError.isInstance(error)).toBe(true);
    expect(error.message).toBe(`'${join(dir, 'test.bin')}' is not a valid CIFAR-100 binary file: ${problem}`);
    expect((error as DataFormatError).offset).toBe(offset);
  });
});
