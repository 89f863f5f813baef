/**
 * Loads a CIFAR binary distribution into NHWC float32 datasets, shared by `cifar10` and
 * `cifar100`. Records keep their file order (the archives are already shuffled); a per-class
 * limit keeps the first images of each class and stops reading files once every class is full.
 * Pixels move from the files' channel planes (R plane, G plane, B plane) to NHWC: feature
 * `(y·32 + x)·3 + c` of an image is byte `c·1024 + y·32 + x` of its record's pixels.
 */
import { checker, type Dataset, validateDataset } from '@abs/core';
import type { DatasetSplit } from '../npm/stratified-split';
import { channelStatistics, pixelTable } from './channel-statistics';
import type { ResolvedCifarOptions } from './cifar-options';
import { CHANNELS, type CifarLabelField, type CifarSource, IMAGE_SIDE, PIXELS, recordBytes } from './cifar-sources';
import { locateCifarFiles, readCifarFile } from './read-cifar-file';

/** A train/test pair, its class names, and the training images' per-channel statistics. */
export interface CifarSplit extends DatasetSplit {
  /** Mean of each channel (R, G, B) over the loaded training pixels in [0, 1]. */
  readonly channelMean: readonly number[];
  /** Population standard deviation of each channel over the same pixels. */
  readonly channelStd: readonly number[];
}

interface Selection {
  /** One subarray of a file per kept record. */
  readonly records: Uint8Array[];
  readonly labels: number[];
}

const PLANE = IMAGE_SIDE * IMAGE_SIDE;
const CHANNEL_NAMES = ['R', 'G', 'B'];

export async function loadCifar(source: CifarSource, options: ResolvedCifarOptions): Promise<CifarSplit> {
  const files = await locateCifarFiles(options.dir, source);
  // CIFAR-100 records hold the coarse label, then the fine one.
  const field = source.labels.length === 2 && options.labels === 'fine' ? 1 : 0;
  const { classNames } = source.labels[field] as CifarLabelField;
  const train = await select(files.train, source, field, options.trainPerClass);
  const test = await select(files.test, source, field, options.testPerClass);
  const statistics = channelStatistics(train.records, source.labels.length);
  const standardize = options.normalize === 'standardize';
  if (standardize) {
    const constant = statistics.std.indexOf(0);
    checker(source.owner).check(
      constant < 0,
      'normalize',
      options.normalize,
      `'none' when a channel of the training images is constant (${CHANNEL_NAMES[constant]} is ` +
        `${statistics.mean[constant]} in every pixel)`,
    );
  }
  const table = pixelTable(standardize ? statistics : undefined);
  const assemble = (part: string, { records, labels }: Selection): Dataset =>
    validateDataset({
      name: `${source.name}/${part}`,
      size: records.length,
      featureShape: [IMAGE_SIDE, IMAGE_SIDE, CHANNELS],
      features: toNhwc(records, source.labels.length, table),
      labels: Int32Array.from(labels),
      numClasses: classNames.length,
    });
  return {
    train: assemble('train', train),
    test: assemble('test', test),
    classNames,
    channelMean: statistics.mean,
    channelStd: statistics.std,
  };
}

/** The first `perClass` records of each class, reading the files in order only as far as needed. */
async function select(
  files: readonly string[],
  source: CifarSource,
  field: number,
  perClass: number,
): Promise<Selection> {
  const size = recordBytes(source);
  const classes = (source.labels[field] as CifarLabelField).classes;
  const counts = new Array<number>(classes).fill(0);
  let full = 0;
  const selection: Selection = { records: [], labels: [] };
  for (const file of files) {
    if (full === classes) break;
    const bytes = await readCifarFile(file, source);
    for (let offset = 0; offset < bytes.length; offset += size) {
      const label = bytes[offset + field] as number;
      const count = counts[label] as number;
      if (count === perClass) continue;
      selection.records.push(bytes.subarray(offset, offset + size));
      selection.labels.push(label);
      counts[label] = count + 1;
      if (count + 1 === perClass) full += 1;
    }
  }
  return selection;
}

/** Channel-planar records to one NHWC Float32Array, each byte mapped through `table[c·256 + b]`. */
function toNhwc(records: readonly Uint8Array[], labelBytes: number, table: Float32Array): Float32Array {
  const features = new Float32Array(records.length * PIXELS);
  const [red, green, blue] = [labelBytes, labelBytes + PLANE, labelBytes + 2 * PLANE];
  let k = 0;
  for (const record of records) {
    for (let p = 0; p < PLANE; p++) {
      features[k++] = table[record[red + p] as number] as number;
      features[k++] = table[256 + (record[green + p] as number)] as number;
      features[k++] = table[512 + (record[blue + p] as number)] as number;
    }
  }
  return features;
}
