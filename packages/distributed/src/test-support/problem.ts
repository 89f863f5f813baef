/** The small problem every test here trains: 3 Gaussian blobs in 4-D, a 4-16-3 relu network. */
import { jsBackend } from '@abs/backend-js';
import { mlp } from '@abs/core';
import { gaussianBlobs } from '@abs/data';

export const dataset = gaussianBlobs({ size: 512, classes: 3, dimension: 4, spread: 0.8, seed: 7 });

export const compile = (seed = 1) => jsBackend().compile(mlp([4, 16, 3]), dataset, { seed });
