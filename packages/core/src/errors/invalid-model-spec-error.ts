import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.InvalidModelSpecError');

/**
 * A model spec is malformed or its shapes do not chain. `layer` is the path of the offending
 * layer (e.g. `'layers[3]'`, `'layers[5].block[1]'`, or `'spec'` for the spec itself) and
 * `field` the field at fault (e.g. `'kernelSize'`, `'input'`).
 */
export class InvalidModelSpecError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.invalid-model-spec';
  readonly layer: string;
  readonly field: string;

  constructor(options: { layer: string; field: string; message: string; cause?: unknown }) {
    const where = options.layer === 'spec' ? '' : ` ${options.layer}`;
    super(`model spec${where}: ${options.message}`, { cause: options.cause });
    this.layer = options.layer;
    this.field = options.field;
  }

  static override isInstance(error: unknown): error is InvalidModelSpecError {
    return hasMarker(error, marker);
  }
}
