import * as layers from '@tensorflow/tfjs-layers';
import { describeTfjsSuite } from './test-support/describe-tfjs-suite';
import { loadTfjs } from './test-support/load-tfjs';

describeTfjsSuite({ label: 'tfjs-wasm', load: () => loadTfjs('wasm'), layers: async () => layers });
