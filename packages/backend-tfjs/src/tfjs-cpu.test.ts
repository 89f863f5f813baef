import * as layers from '@tensorflow/tfjs-layers';
import { describeTfjsSuite } from './test-support/describe-tfjs-suite';
import { loadTfjs } from './test-support/load-tfjs';

describeTfjsSuite({ label: 'tfjs-cpu', load: () => loadTfjs('cpu'), layers: async () => layers });
