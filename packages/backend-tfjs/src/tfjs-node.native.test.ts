// The package's whole test suite on @tensorflow/tfjs-node (backend 'tensorflow') when it is
// installed. It is not a dependency: its install script downloads libtensorflow, which CI
// (no network) cannot do, so here the file skips and prints why.
import { describe, it } from 'vitest';
import { describeTfjsSuite, type LayersApi } from './test-support/describe-tfjs-suite';
import { importNative } from './test-support/import-native';

const name = '@tensorflow/tfjs-node';
const loaded = await importNative(name);
if (loaded.ok) {
  describeTfjsSuite({
    label: 'tfjs-node',
    load: async () => loaded.tf,
    layers: async () => loaded.tf as unknown as LayersApi,
  });
} else {
  console.warn(`${name} tests skipped: ${loaded.reason}`);
  describe(name, () => it.skip(`skipped: ${loaded.reason}`, () => {}));
}
