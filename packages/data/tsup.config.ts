import { defineConfig } from 'tsup';
import { packageBuild } from '../../tooling/tsup.preset';

// `shims` gives the CJS build an `import.meta.url`, which `createRequire` needs to find the
// optional `mnist` / `fashion-mnist` packages.
export default defineConfig(packageBuild({ shims: true }));
