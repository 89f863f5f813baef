/**
 * The binary distributions of CIFAR-10 and CIFAR-100 (Krizhevsky, "Learning Multiple Layers
 * of Features from Tiny Images", 2009; https://www.cs.toronto.edu/~kriz/cifar.html): which
 * files each holds, how its records are laid out, and the class names in label order.
 * A record is its label byte(s), then 3,072 pixel bytes: the 1,024 red values of the 32×32
 * image row by row, then the 1,024 green, then the 1,024 blue.
 */

/** One label byte of a record: its name in messages and its number of classes. */
export interface CifarLabelField {
  readonly name: string;
  readonly classes: number;
  readonly classNames: readonly string[];
}

export interface CifarSource {
  /** Dataset name, prefix of the parts' names (`'cifar-10'` → `'cifar-10/train'`). */
  readonly name: string;
  /** `'CIFAR-10'`, for messages. */
  readonly title: string;
  /** The loader's name, for messages: `'cifar10'`. */
  readonly owner: string;
  /** The archive to download and the folder it extracts to. */
  readonly archive: string;
  readonly folder: string;
  readonly trainFiles: readonly string[];
  readonly testFiles: readonly string[];
  /** The label bytes at the start of each record, in file order. */
  readonly labels: readonly CifarLabelField[];
}

export const CIFAR_HOME = 'https://www.cs.toronto.edu/~kriz/cifar.html';
export const IMAGE_SIDE = 32;
export const CHANNELS = 3;
/** Pixel bytes per record: 3 × 32 × 32. */
export const PIXELS = CHANNELS * IMAGE_SIDE * IMAGE_SIDE;

/** CIFAR-10's class names: `CIFAR10_CLASS_NAMES[label]` (the archive's `batches.meta.txt`). */
export const CIFAR10_CLASS_NAMES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
] as const;

/** CIFAR-100's 20 superclasses: `CIFAR100_COARSE_CLASS_NAMES[label]` (`coarse_label_names.txt`). */
export const CIFAR100_COARSE_CLASS_NAMES = [
  'aquatic_mammals',
  'fish',
  'flowers',
  'food_containers',
  'fruit_and_vegetables',
  'household_electrical_devices',
  'household_furniture',
  'insects',
  'large_carnivores',
  'large_man-made_outdoor_things',
  'large_natural_outdoor_scenes',
  'large_omnivores_and_herbivores',
  'medium_mammals',
  'non-insect_invertebrates',
  'people',
  'reptiles',
  'small_mammals',
  'trees',
  'vehicles_1',
  'vehicles_2',
] as const;

/** CIFAR-100's 100 classes: `CIFAR100_FINE_CLASS_NAMES[label]` (`fine_label_names.txt`). */
export const CIFAR100_FINE_CLASS_NAMES = (
  'apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly ' +
  'camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup ' +
  'dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower ' +
  'leopard lion lizard lobster man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid ' +
  'otter palm_tree pear pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray ' +
  'road rocket rose sea seal shark shrew skunk skyscraper snail snake spider squirrel streetcar ' +
  'sunflower sweet_pepper table tank telephone television tiger tractor train trout tulip turtle ' +
  'wardrobe whale willow_tree wolf woman worm'
).split(' ') as readonly string[];

const label = (name: string, classNames: readonly string[]): CifarLabelField => ({
  name,
  classes: classNames.length,
  classNames,
});

export const CIFAR10: CifarSource = {
  name: 'cifar-10',
  title: 'CIFAR-10',
  owner: 'cifar10',
  archive: 'cifar-10-binary.tar.gz',
  folder: 'cifar-10-batches-bin',
  trainFiles: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`),
  testFiles: ['test_batch.bin'],
  labels: [label('label', CIFAR10_CLASS_NAMES)],
};

export const CIFAR100: CifarSource = {
  name: 'cifar-100',
  title: 'CIFAR-100',
  owner: 'cifar100',
  archive: 'cifar-100-binary.tar.gz',
  folder: 'cifar-100-binary',
  trainFiles: ['train.bin'],
  testFiles: ['test.bin'],
  labels: [label('coarse label', CIFAR100_COARSE_CLASS_NAMES), label('fine label', CIFAR100_FINE_CLASS_NAMES)],
};

/** Bytes per record: the label bytes and the pixels (3,073 for CIFAR-10, 3,074 for CIFAR-100). */
export const recordBytes = (source: CifarSource): number => source.labels.length + PIXELS;
