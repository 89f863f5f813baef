import { AbsError, hasMarker } from './abs-error';

const marker = Symbol.for('abs.error.DisposedModelError');

/**
 * A model was used after `dispose()`: its parameters and backend resources are gone.
 * Names the backend and the method that was called.
 */
export class DisposedModelError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.disposed-model';
  /** The backend name of the model, e.g. `'js'`. */
  readonly backend: string;
  /** The method called after `dispose()`, e.g. `'evaluate'`. */
  readonly method: string;

  constructor(options: { backend: string; method: string }) {
    super(`${options.backend}.${options.method}: the model was disposed; compile a new one`);
    this.backend = options.backend;
    this.method = options.method;
  }

  static override isInstance(error: unknown): error is DisposedModelError {
    return hasMarker(error, marker);
  }
}
