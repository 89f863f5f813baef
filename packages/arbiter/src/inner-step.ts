/**
 * The inner step of README “One iteration” step 1: the mean loss and gradient of a
 * training batch, checked for finiteness, then one update of the inner optimiser (with the
 * hypergradient learning-rate change first under SGD-HD/Adam-HD, README “Modes”). The new parameters
 * are returned, not installed, so the caller can still roll back.
 */
import {
  assertFinite,
  assertFiniteTensors,
  disposeList,
  type Model,
  type Optimizer,
  type OptimizerState,
} from '@abs/core';
import { isHypergradientOptimizer } from './hypergradient-optimizer';

export interface InnerStepResult<T> {
  readonly loss: number;
  readonly parameters: T[];
  readonly optimizerState: OptimizerState<T>;
}

/**
 * @throws NonFiniteError('loss' | 'gradient[<param>]' | 'learningRate') before any update
 */
export async function innerStep<T>(
  model: Model<T>,
  input: {
    readonly optimizer: Optimizer;
    readonly state: OptimizerState<T>;
    readonly batch: Int32Array;
    readonly step: number;
  },
): Promise<InnerStepResult<T>> {
  const { optimizer, state, batch, step } = input;
  const ops = model.ops;
  const result = await model.evaluate(batch, { gradient: true });
  const gradient = result.gradient as T[];
  try {
    assertFinite(result.loss, 'loss', step);
    await assertFiniteTensors(ops, gradient, {
      prefix: 'gradient',
      names: model.parameterInfo.map((p) => p.name),
      step,
    });
    let learningRate: number | undefined;
    if (isHypergradientOptimizer(optimizer)) {
      learningRate = await optimizer.adaptLearningRate(ops, { gradient, parameters: model.parameters, state });
      assertFinite(learningRate, 'learningRate', step);
    }
    const update = optimizer.update(ops, {
      gradient,
      parameters: model.parameters,
      state,
      ...(learningRate === undefined ? {} : { learningRate }),
    });
    return { loss: result.loss, parameters: update.parameters, optimizerState: update.state };
  } finally {
    disposeList(ops, gradient);
  }
}
