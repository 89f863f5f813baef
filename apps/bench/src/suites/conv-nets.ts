/**
 * The convolutional nets of the conv suites, scaled for a CPU and built for any image shape
 * (28×28×1 digits and clothes, 32×32×3 CIFAR), so one suite runs on whichever data it gets.
 * The CABS authors' MNIST net is core's `cabsMnistNet()`.
 */
import {
  batchNorm,
  conv2d,
  dense,
  flatten,
  globalAvgPool2d,
  type LayerSpec,
  maxPool2d,
  projection,
  relu,
  residual,
  type SequentialSpec,
  sequential,
} from '@abs/core';

type ImageShape = readonly [number, number, number];

/**
 * ResNet-20's structure (He et al. 2016, §4.2): a 3×3 conv, three stages of three basic blocks
 * (two 3×3 convs with batch norm each, stride 2 at the first block of stages 2 and 3), global
 * average pooling and one dense layer. The paper's widths are 16/32/64; `widths` narrows them.
 * Stride-2 blocks use a 1×1 projection shortcut with batch norm (the paper's option B) where the
 * paper pads the identity with zeros (option A); the convs have no bias, as batch norm follows.
 */
export function resnet20(
  inputShape: ImageShape,
  widths: readonly [number, number, number] = [16, 32, 64],
  classes = 10,
): SequentialSpec {
  const layers: LayerSpec[] = [conv2d(widths[0], 3, { bias: false }), batchNorm(), relu()];
  let channels = widths[0];
  for (const [stage, width] of widths.entries()) {
    for (let block = 0; block < 3; block++) {
      const strides = stage > 0 && block === 0 ? 2 : 1;
      const shortcut = strides !== 1 || channels !== width ? projection(width, strides, { batchNorm: true }) : [];
      layers.push(
        residual(
          [
            conv2d(width, 3, { strides, bias: false }),
            batchNorm(),
            relu(),
            conv2d(width, 3, { bias: false }),
            batchNorm(),
          ],
          { shortcut },
        ),
        relu(),
      );
      channels = width;
    }
  }
  layers.push(globalAvgPool2d(), dense(classes, { init: 'glorot-uniform' }));
  return sequential(inputShape, layers);
}

/**
 * A VGG-style net: stages of 3×3 convs (each followed by batch norm when `batchNorm` is set, then
 * relu) ending in a 2×2 max-pool, then the dense head flatten → dense(head) relu → dense(classes).
 * VGG-11-BN is stages [64], [128], [256, 256], [512, 512], [512, 512] with a 512-512 head.
 */
export function vgg(
  inputShape: ImageShape,
  options: { stages: readonly (readonly number[])[]; head: number; batchNorm: boolean; classes?: number },
): SequentialSpec {
  const layers: LayerSpec[] = [];
  for (const stage of options.stages) {
    for (const filters of stage) {
      layers.push(conv2d(filters, 3, { bias: !options.batchNorm }));
      if (options.batchNorm) layers.push(batchNorm());
      layers.push(relu());
    }
    layers.push(maxPool2d(2));
  }
  layers.push(flatten(), dense(options.head), relu(), dense(options.classes ?? 10, { init: 'glorot-uniform' }));
  return sequential(inputShape, layers);
}

/** A small LeNet-style net: conv 5×5 (c1) relu pool, conv 5×5 (c2) relu pool, flatten, dense(classes). */
export function smallConvNet(
  inputShape: ImageShape,
  filters: readonly [number, number] = [8, 16],
  classes = 10,
): SequentialSpec {
  return sequential(inputShape, [
    conv2d(filters[0], 5),
    relu(),
    maxPool2d(2),
    conv2d(filters[1], 5),
    relu(),
    maxPool2d(2),
    flatten(),
    dense(classes, { init: 'glorot-uniform' }),
  ]);
}
