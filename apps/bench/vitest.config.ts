import { packageTests } from '../../tooling/vitest.preset';

export default packageTests({ testTimeout: 120_000 });
