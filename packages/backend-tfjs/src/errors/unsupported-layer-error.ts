import { AbsError, hasMarker } from '@abs/core';

const marker = Symbol.for('abs.error.UnsupportedLayerError');

/**
 * A layer of a TensorFlow.js model has no abs equivalent (its class, an option such as a
 * regulariser or dilation, or its place in the graph). Names the layer, its index in
 * `model.layers` and its class, says why, and lists the layers `fromLayersModel` maps.
 */
export class UnsupportedLayerError extends AbsError {
  protected readonly [marker] = true;
  readonly code = 'abs.unsupported-layer';
  /** The layer's name, e.g. `'conv2d_Conv2D1'`. */
  readonly layer: string;
  readonly index: number;
  /** The layer's class, e.g. `'LSTM'`. */
  readonly className: string;
  readonly reason: string;
  /** The layers and arrangements that are supported. */
  readonly supported: string;

  constructor(options: {
    layer: string;
    index: number;
    className: string;
    reason: string;
    supported: string;
    cause?: unknown;
  }) {
    super(
      `fromLayersModel: layer '${options.layer}' (${options.className}, index ${options.index}) is not supported: ${options.reason}. Supported: ${options.supported}`,
      { cause: options.cause },
    );
    this.layer = options.layer;
    this.index = options.index;
    this.className = options.className;
    this.reason = options.reason;
    this.supported = options.supported;
  }

  static override isInstance(error: unknown): error is UnsupportedLayerError {
    return hasMarker(error, marker);
  }
}
