/**
 * The TensorFlow.js namespace this package is handed by the user. Only its type is imported
 * from `@tensorflow/tfjs-core`; every operation goes through the namespace object itself, so
 * the package never loads a second copy of tfjs-core and never touches global backend state.
 */
import type * as tfjs from '@tensorflow/tfjs-core';

/**
 * `import * as tf from '@tensorflow/tfjs-core'` (with a backend registered and ready), or the
 * namespace of `@tensorflow/tfjs`, `@tensorflow/tfjs-node` or `@tensorflow/tfjs-node-gpu`.
 */
export type TensorFlow = typeof tfjs;

/** The tensor type of every model and `TensorOps` of this package. */
export type Tensor = tfjs.Tensor;
export type Tensor1D = tfjs.Tensor1D;
export type Tensor2D = tfjs.Tensor2D;
export type Tensor3D = tfjs.Tensor3D;
export type Tensor4D = tfjs.Tensor4D;
