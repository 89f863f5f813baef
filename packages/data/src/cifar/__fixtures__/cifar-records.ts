/**
 * Test helpers: small CIFAR binary files in the official layout, written by the tests into a
 * temporary folder. Every pixel of image `id` is a known function of (id, channel, position),
 * different for each channel and position, so a layout mistake changes some feature.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PLANE = 32 * 32;

/** Byte of image `id`, channel c (0 R, 1 G, 2 B), position p = y·32 + x. */
export const cifarPixel = (id: number, channel: number, position: number): number =>
  (id * 31 + channel * 85 + position) % 256;

/** One record: the label byte(s) (CIFAR-100: coarse, fine), then the R, G and B planes of image `id`. */
export function cifarRecord(labels: readonly number[], id: number): Uint8Array {
  const record = new Uint8Array(labels.length + 3 * PLANE);
  record.set(labels);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < PLANE; p++) record[labels.length + c * PLANE + p] = cifarPixel(id, c, p);
  }
  return record;
}

/** Writes each file (name → its bytes or records) into `dir`, creating the folder. */
export function writeCifarFiles(dir: string, files: Record<string, Uint8Array | readonly Uint8Array[]>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), content instanceof Uint8Array ? content : Buffer.concat(content));
  }
  return dir;
}
