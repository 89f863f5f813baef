/**
 * The fixed batch sizes a comparison can run on a training split: a batch larger than the split
 * (as in a quick form's few hundred images) cannot be drawn, so it is left out and a finding
 * says which.
 */
import type { SuiteContext } from '../context';

export function fittingBatchSizes(
  ctx: SuiteContext,
  suite: string,
  data: { readonly name: string; readonly train: { readonly size: number } },
  sizes: readonly number[],
): number[] {
  const fitting = sizes.filter((b) => b <= data.train.size);
  const dropped = sizes.filter((b) => b > data.train.size);
  if (dropped.length > 0)
    ctx.results.findings.push({
      suite,
      text: `${data.name}: no fixed-batch run at batch ${dropped.join(', ')}: larger than the ${data.train.size} training images.`,
    });
  return fitting;
}
