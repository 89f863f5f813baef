/**
 * The convolutional networks of the papers behind abs's algorithms, as specs, so every user,
 * test and benchmark builds the same net.
 */
import {
  conv2d,
  dense,
  flatten,
  type Initializer,
  maxPool2d,
  relu,
  type SequentialSpec,
  sequential,
} from './model-spec';

/**
 * The MNIST net of the CABS authors' code (Balles, Romero & Hennig, UAI 2017): conv 5×5×32 'same',
 * relu, max-pool 2×2/2, conv 5×5×64 'same', relu, max-pool 2×2/2, flatten, dense 1024 relu,
 * dense 10 on 28×28×1 images; every weight truncated normal with std 0.01, every bias 0.05.
 * 3,274,634 parameters.
 * @example
 * const model = await jsBackend().compile(cabsMnistNet(), images, { seed: 1 }); // images: [28, 28, 1]
 */
export function cabsMnistNet(): SequentialSpec {
  const init: Initializer = { kind: 'truncated-normal', std: 0.01, bias: 0.05 };
  return sequential(
    [28, 28, 1],
    [
      conv2d(32, 5, { init }),
      relu(),
      maxPool2d(2),
      conv2d(64, 5, { init }),
      relu(),
      maxPool2d(2),
      flatten(),
      dense(1024, { init }),
      relu(),
      dense(10, { init }),
    ],
  );
}
