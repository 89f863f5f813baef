/**
 * The data of the suites that can use CIFAR (`DATA_DIR_SUITES`): CIFAR-10 from `--data-dir`,
 * else Fashion-MNIST images; a finding says which, so a report never leaves it implicit.
 */
import type { NamedData, SuiteContext } from '../context';

export async function cifarOrFashion(ctx: SuiteContext, suite: string, perClass: number): Promise<NamedData> {
  const data = await ctx.images(ctx.dataDir === undefined ? 'fashion-mnist' : 'cifar10', perClass);
  ctx.results.findings.push({
    suite,
    text:
      ctx.dataDir === undefined
        ? `data: Fashion-MNIST as 28×28×1 images, ${data.train.size} training / ${data.test.size} test (no --data-dir was given; with --data-dir DIR, the extracted cifar-10-batches-bin, this suite runs on CIFAR-10).`
        : `data: CIFAR-10 from ${ctx.dataDir}, the first ${data.train.size} training / ${data.test.size} test images (classes balanced), standardised per channel, not augmented.`,
  });
  return data;
}
