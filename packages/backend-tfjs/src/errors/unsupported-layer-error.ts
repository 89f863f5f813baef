import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.UnsupportedLayerError');

/**
 * A layer of a TensorFlow.js model has no abs `mlp` equivalent (its class, activation,
 * regulariser, or a hidden activation or bias setting that differs from the other layers).
 * Names the layer, its index in `model.layers` and its class.
 */
export class UnsupportedLayerError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.unsupported-layer';
  /** The layer's name, e.g. `'conv2d_Conv2D1'`. */
  readonly layer: string;
  readonly index: number;
  /** The layer's class, e.g. `'Conv2D'`. */
  readonly className: string;
  readonly reason: string;

  constructor(options: { layer: string; index: number; className: string; reason: string; cause?: unknown }) {
    super(
      `fromLayersModel: layer '${options.layer}' (${options.className}, index ${options.index}) is not supported: ${options.reason}`,
      { cause: options.cause },
    );
    this.layer = options.layer;
    this.index = options.index;
    this.className = options.className;
    this.reason = options.reason;
  }

  static override isInstance(error: unknown): error is UnsupportedLayerError {
    return hasMarker(error, marker);
  }
}
