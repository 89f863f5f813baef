/**
 * Per-channel pixel statistics of CIFAR records, and the byte → feature map they give. A pixel
 * byte b becomes x = b / 255 in [0, 1]; with standardisation, channel c's x becomes
 * (x − μ_c) / σ_c, where μ_c and σ_c are the mean and the population standard deviation of x
 * over every pixel of channel c in the training images. Both come exactly from a 256-bin
 * histogram per channel, so they cost one pass over the bytes and no float accumulation error.
 */
import { CHANNELS, IMAGE_SIDE } from './cifar-sources';

const PLANE = IMAGE_SIDE * IMAGE_SIDE;

export interface ChannelStatistics {
  /** μ_c for R, G, B. */
  readonly mean: readonly number[];
  /** σ_c for R, G, B (population: divided by the pixel count). */
  readonly std: readonly number[];
}

/**
 * @param records - records (label bytes, then R, G and B planes of 1,024 bytes each)
 * @param labelBytes - label bytes at the start of each record
 */
export function channelStatistics(records: readonly Uint8Array[], labelBytes: number): ChannelStatistics {
  const histogram = new Float64Array(CHANNELS * 256);
  for (const record of records) {
    for (let c = 0; c < CHANNELS; c++) {
      const [plane, bin] = [labelBytes + c * PLANE, c * 256];
      for (let p = 0; p < PLANE; p++) {
        const index = bin + (record[plane + p] as number);
        histogram[index] = (histogram[index] as number) + 1;
      }
    }
  }
  const pixels = records.length * PLANE;
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < CHANNELS; c++) {
    const counts = histogram.subarray(c * 256, (c + 1) * 256);
    let sum = 0;
    counts.forEach((count, byte) => {
      sum += count * (byte / 255);
    });
    const mu = sum / pixels;
    let squares = 0;
    counts.forEach((count, byte) => {
      squares += count * (byte / 255 - mu) ** 2;
    });
    mean.push(mu);
    std.push(Math.sqrt(squares / pixels));
  }
  return { mean, std };
}

/**
 * The feature of every (channel, byte) pair: `table[c·256 + b]`.
 * @param normalization - μ_c and σ_c (all σ_c > 0) to standardise with; plain b / 255 without
 */
export function pixelTable(normalization?: ChannelStatistics): Float32Array {
  const table = new Float32Array(CHANNELS * 256);
  for (let c = 0; c < CHANNELS; c++) {
    const shift = normalization ? (normalization.mean[c] as number) : 0;
    const divisor = normalization ? (normalization.std[c] as number) : 1;
    for (let byte = 0; byte < 256; byte++) table[c * 256 + byte] = (byte / 255 - shift) / divisor;
  }
  return table;
}
