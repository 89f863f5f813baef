// The package must not load TensorFlow.js itself (no second copy of tfjs-core, no backend
// registration on import): shipped source may import tfjs packages for types only.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('.', import.meta.url).pathname;

function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test-support' ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.includes('.test.') ? [path] : [];
  });
}

describe('package boundaries', () => {
  it('imports @tensorflow/* for types only in shipped source', () => {
    const files = shippedSources(root);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const imports = readFileSync(file, 'utf8').match(/^import[^;]*from '@tensorflow\/[^']+';/gm) ?? [];
      for (const statement of imports) {
        expect(statement.startsWith('import type '), `${relative(root, file)}: ${statement}`).toBe(true);
      }
    }
  });
});
