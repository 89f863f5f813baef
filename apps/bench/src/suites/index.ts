/** Suite name → implementation. */
import type { SuiteName } from '../cli-args';
import type { SuiteContext } from '../context';
import { arbiterSuite } from './arbiter';
import { arbiterVggSuite } from './arbiter-vgg';
import { baselinesSuite } from './baselines';
import { cabsSuite } from './cabs';
import { cabsConvSuite } from './cabs-conv';
import { dbaSuite } from './dba';
import { dbaConvSuite } from './dba-conv';
import { demoSuite } from './demo';
import { equivalenceSuite } from './equivalence';
import { labpalSuite } from './labpal';
import { labpalResnetSuite } from './labpal-resnet';
import { scaleSuite } from './scale';
import { speedSuite } from './speed';

export const SUITES: Record<Exclude<SuiteName, 'tour'>, (ctx: SuiteContext) => Promise<void>> = {
  demo: demoSuite,
  baselines: baselinesSuite,
  speed: speedSuite,
  equivalence: equivalenceSuite,
  cabs: cabsSuite,
  dba: dbaSuite,
  labpal: labpalSuite,
  arbiter: arbiterSuite,
  scale: scaleSuite,
  'cabs-conv': cabsConvSuite,
  'dba-conv': dbaConvSuite,
  'labpal-resnet': labpalResnetSuite,
  'arbiter-vgg': arbiterVggSuite,
};
