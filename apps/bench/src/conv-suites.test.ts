import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSpec } from '@abs/core';
import { describe, expect, it } from 'vitest';
import { checkDataDirectory, runBench } from './bench';
import { parseArgs } from './cli-args';
import { chartKey, renderReport } from './report/html-report';
import { type RunRecord, validateResults } from './results';
import { batchSizeTrajectory } from './suites/cabs-conv';
import { resnet20, smallConvNet, vgg } from './suites/conv-nets';

/**
 * A CIFAR-10 binary file in the official layout: per record one label byte, then the R, G and B
 * planes of a 32×32 image (bytes 0–255).
 */
function cifarFile(labels: readonly number[]): Uint8Array {
  const record = 1 + 3 * 32 * 32;
  const bytes = new Uint8Array(labels.length * record);
  labels.forEach((label, i) => {
    bytes[i * record] = label;
    for (let j = 1; j < record; j++) bytes[i * record + j] = (i * 7 + j) % 256;
  });
  return bytes;
}

/** Every file of cifar-10-batches-bin, each holding `perClass` images of every class. */
async function writeCifar10(dir: string, perClass: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const labels = Array.from({ length: 10 * perClass }, (_, i) => i % 10);
  for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch'])
    await writeFile(join(dir, `${name}.bin`), cifarFile(labels));
  return dir;
}

describe('--data-dir', () => {
  it('runs the suites that can use CIFAR on CIFAR-10 images and says so', async () => {
    const root = await mkdtemp(join(tmpdir(), 'abs-bench-cifar-'));
    const dir = await writeCifar10(join(root, 'cifar-10-batches-bin'), 20);
    const out = join(root, 'out');
    const options = parseArgs([
      'labpal-resnet',
      'arbiter-vgg',
      '--quick',
      '--data-dir',
      dir,
      '--algorithm',
      'sgd-momentum',
      '--backend',
      'onnx',
      '--steps',
      '1',
      '--out',
      out,
    ]);
    const results = await runBench(options, { log: () => {}, command: ['test'] });
    // labpal-resnet: sgd-momentum; arbiter-vgg: batch 32 and 128 (512 exceeds the 160 images).
    expect(results.runs.map((r) => [r.suite, r.label])).toEqual([
      ['labpal-resnet', 'sgd-momentum 0.9 lr=0.1'],
      ['arbiter-vgg', 'sgd-momentum bs=32'],
      ['arbiter-vgg', 'sgd-momentum bs=128'],
    ]);
    for (const run of results.runs) {
      expect(run.dataset).toMatch(/^cifar10 200\/50/);
      expect(run.model.startsWith('[32,32,3]')).toBe(true);
      expect(run.error).toBeUndefined();
    }
    const data = results.findings.filter((f) => f.text.startsWith('data: '));
    expect(data.map((f) => f.suite)).toEqual(['labpal-resnet', 'arbiter-vgg']);
    expect(data[0]?.text).toContain(`CIFAR-10 from ${dir}`);
    expect(results.findings.map((f) => f.text)).toContain(
      'cifar10 200/50 (first 80%): no fixed-batch run at batch 512: larger than the 160 training images.',
    );
    expect((await readdir(out)).some((f) => f.endsWith('.svg'))).toBe(true);
  });

  it('without it, the same suites say they ran on Fashion-MNIST', async () => {
    const out = await mkdtemp(join(tmpdir(), 'abs-bench-fashion-'));
    const options = parseArgs(['labpal-resnet', '--quick', '--algorithm', 'adam', '--backend', 'onnx']);
    const results = await runBench({ ...options, budget: { steps: 1 }, out }, { log: () => {}, command: ['test'] });
    expect(results.runs[0]?.dataset).toBe('fashion-mnist 200/50');
    expect(results.findings[0]?.text).toMatch(
      /^data: Fashion-MNIST as 28×28×1 images, 200 training \/ 50 test \(no --data-dir/,
    );
    const json = JSON.parse(await readFile(join(out, 'results.json'), 'utf8'));
    expect(json.runs[0].model.startsWith('[28,28,1]')).toBe(true);
  });

  it('is a usage error without a suite that takes it, and a setup error when it is not a folder', async () => {
    expect(() => parseArgs(['cabs', '--data-dir', '/tmp'])).toThrow(
      '--data-dir applies to the suites labpal-resnet, arbiter-vgg; none of them is selected',
    );
    expect(() => parseArgs(['arbiter-vgg', '--data-dir'])).toThrow('--data-dir needs a directory');
    expect(parseArgs(['tour', '--data-dir', 'x']).dataDir).toBe('x');
    const root = await mkdtemp(join(tmpdir(), 'abs-bench-dir-'));
    await expect(checkDataDirectory(join(root, 'missing'))).rejects.toThrow(
      `--data-dir ${join(root, 'missing')}: does not exist (it should be the extracted cifar-10-batches-bin folder)`,
    );
    await writeFile(join(root, 'file'), '');
    await expect(checkDataDirectory(join(root, 'file'))).rejects.toThrow('is a file, not a directory');
    expect(await checkDataDirectory(root)).toBe(root);
  });
});

describe('the committed conv results', () => {
  it.each([
    ['cabs-conv', 'cabs-conv'],
    ['cabs-conv-fashion-mnist', 'cabs-conv'],
    ['dba-conv', 'dba-conv'],
    ['labpal-resnet', 'labpal-resnet'],
    ['arbiter-vgg', 'arbiter-vgg'],
  ])('results/%s validates, renders and says how it was scaled down', async (dir, suite) => {
    const committed = JSON.parse(await readFile(new URL(`../results/${dir}/results.json`, import.meta.url), 'utf8'));
    expect(validateResults(committed)).toEqual([]);
    expect(committed.runs.length).toBeGreaterThan(0);
    expect(committed.runs.every((r: RunRecord) => r.suite === suite && r.error === undefined)).toBe(true);
    expect(committed.findings.some((f: { text: string }) => f.text.startsWith('scaled down: '))).toBe(true);
    const { charts } = renderReport(committed);
    expect(charts.length).toBeGreaterThanOrEqual(3);
  });
});

describe('the conv nets', () => {
  it('resnet20 has ResNet-20 structure: 19 convs and a dense layer on the main path, 28 → 28 → 14 → 7', () => {
    const d = describeSpec(resnet20([28, 28, 1], [4, 8, 16]));
    const weights = d.layers.filter((l) => l.kind !== 'batchNorm');
    // Two stride-2 blocks add a 1×1 projection each (option B): 21 convs, 1 dense.
    expect(weights.filter((l) => l.kind === 'conv2d').length).toBe(21);
    expect(weights.filter((l) => l.kind === 'conv2d' && l.path.includes('shortcut')).length).toBe(2);
    expect(weights.filter((l) => l.kind === 'dense').length).toBe(1);
    const stageOutputs = weights
      .filter((l) => l.kind === 'conv2d' && !l.path.includes('shortcut'))
      .map((l) => l.outputShape.join('x'));
    expect(new Set(stageOutputs)).toEqual(new Set(['28x28x4', '14x14x8', '7x7x16']));
    expect(d.outputShape).toEqual([10]);
    expect(describeSpec(resnet20([32, 32, 3])).layers.find((l) => l.kind === 'dense')?.inputShape).toEqual([64]);
  });

  it('vgg has batch norm only when asked; smallConvNet ends in 10 logits', () => {
    const stages = [[16], [32], [64]];
    const kinds = (bn: boolean) => describeSpec(vgg([28, 28, 1], { stages, head: 128, batchNorm: bn })).layers;
    expect(kinds(true).filter((l) => l.kind === 'batchNorm').length).toBe(3);
    expect(kinds(false).filter((l) => l.kind === 'batchNorm').length).toBe(0);
    // 28 → 14 → 7 → 3 after three 2×2 pools: the head reads 3·3·64.
    expect(kinds(false).find((l) => l.kind === 'dense')?.inputSize).toBe(576);
    expect(describeSpec(smallConvNet([28, 28, 1])).outputShape).toEqual([10]);
  });
});

describe('report helpers', () => {
  it('chartKey keeps short titles and hashes long ones to a bounded, distinct stem', () => {
    expect(chartKey('cabs · mnist · mlp[784,512,10]')).toBe('cabs-mnist-mlp-784-512-10-');
    const long = (width: number) => `labpal-resnet · ${'conv3x3 batchNorm relu '.repeat(20)}${width}`;
    expect(chartKey(long(4)).length).toBe(93);
    expect(chartKey(long(4))).not.toBe(chartKey(long(8)));
    expect(chartKey(long(4)).startsWith('labpal-resnet-conv3x3-batchNorm')).toBe(true);
  });

  it('batchSizeTrajectory reads the batch size at each quarter of the examples', () => {
    const trace = [16, 16, 32, 64, 128].map((batchSize, i) => ({
      step: i + 1,
      examplesSeen: (i + 1) * 100,
      loss: 1,
      batchSize,
      learningRate: 0.1,
      wallMs: 0,
    }));
    const run = {
      seed: 1,
      label: 'cabs exact',
      trace,
      final: { examplesSeen: 500, steps: 5, msPerStep: 12.4 },
    } as unknown as RunRecord;
    expect(batchSizeTrajectory(run)).toBe(
      'seed 1: cabs exact batch size by examples seen: 0 → 16, 125 → 16, 250 → 32, 375 → 64, 500 → 128 (largest 128); 5 steps, 12 ms a step.',
    );
  });
});
