/**
 * The CABS authors' MNIST net (conv 5×5×32 same, relu, max-pool 2, conv 5×5×64 same, relu,
 * max-pool 2, flatten, dense 1024 relu, dense 10; truncated normal std 0.01, biases 0.05) on
 * backend-js, trained a few steps by every algorithm: the smoke run behind the reference
 * backend's conv support. `npx tsx --conditions=@abs/source scripts/cabs-mnist-net.ts [steps]`
 */
import { arbiter } from '@abs/arbiter';
import { jsBackend } from '@abs/backend-js';
import { cabs } from '@abs/cabs';
import { type Algorithm, cabsMnistNet, fixedBatch, sgd, specSummary, train } from '@abs/core';
import { mnist } from '@abs/data';
import { dba } from '@abs/dba';
import { labpal } from '@abs/parabola-ls';

const steps = Number(process.argv[2] ?? 3);
const spec = cabsMnistNet();
const digits = await mnist();
const images = { ...digits.train, featureShape: [28, 28, 1] };
const algorithms: [string, Algorithm][] = [
  ['fixedBatch(sgd) 16', fixedBatch({ optimizer: sgd({ learningRate: 0.1 }), batchSize: 16 })],
  ['cabs exact', cabs({ learningRate: 0.1 })],
  ['cabs reference', cabs({ learningRate: 0.1, fidelity: 'reference' })],
  ['labpal', labpal({ batchSize: 16, approxBatches: 2, reuseSteps: 2 })],
  ['dba(sgd) 16', dba({ batchSize: 16, optimizer: sgd({ learningRate: 0.1 }) })],
  ['arbiter', arbiter({ sMin: 8, sMax: 32, initialBatchSize: 16, warmup: false })],
];
console.log(`${specSummary(spec)} on ${images.name} ${images.size}×[28,28,1], backend js, ${steps} steps each`);
for (const [name, algorithm] of algorithms) {
  const model = await jsBackend().compile(spec, images, { seed: 1 });
  const start = performance.now();
  const run = await train(model, algorithm, { steps, seed: 1 });
  const ms = (performance.now() - start) / steps;
  const trace = run.trace.map((r) => `${r.loss.toFixed(4)}@${r.batchSize}`).join(' ');
  console.log(`${name.padEnd(20)} ${ms.toFixed(0).padStart(6)} ms/step  loss@batch: ${trace}`);
  run.dispose();
  model.dispose();
}
