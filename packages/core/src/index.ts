// @abs/core — the contract every abs package builds on: tensor operations, models,
// backends, errors, seeded randomness, base optimisers, the algorithm shape and the
// training loop.

export type { Algorithm, AlgorithmState, StepReport } from './algorithm/algorithm';
export {
  checkSamplerState,
  createSamplerState,
  type EpochTail,
  epochPermutation,
  type SampledBatch,
  type SamplerState,
  sampleBatch,
} from './algorithm/batch-sampler';
export {
  checkOptimizerState,
  checkStateInteger,
  checkStateNumber,
  checkStateTensors,
  invalidState,
  stateRecord,
} from './algorithm/check-state';
export { assertFinite, assertFiniteTensors, assertFiniteUpdate } from './algorithm/finite';
export { type FixedBatchOptions, type FixedBatchReport, fixedBatch } from './algorithm/fixed-batch';
export { decodeState, disposeState, encodeState, fromBase64, type Json, toBase64 } from './algorithm/state-codec';
export { checker, type NumberBounds, type OptionChecker } from './config/validate';
export { AbsError, hasMarker } from './errors/abs-error';
export { BackendUnavailableError } from './errors/backend-unavailable-error';
export { BatchTooSmallError } from './errors/batch-too-small-error';
export { DisposedModelError } from './errors/disposed-model-error';
export { EmptyBatchError } from './errors/empty-batch-error';
export { InvalidArgumentError } from './errors/invalid-argument-error';
export { InvalidCheckpointError } from './errors/invalid-checkpoint-error';
export { formatValue, InvalidHyperParameterError } from './errors/invalid-hyper-parameter-error';
export { InvalidModelSpecError } from './errors/invalid-model-spec-error';
export { NonFiniteError } from './errors/non-finite-error';
export { ShapeMismatchError } from './errors/shape-mismatch-error';
export { TrainingError } from './errors/training-error';
export { UnsupportedCapabilityError } from './errors/unsupported-capability-error';
export {
  assertCapabilities,
  assertRequestSupported,
  CAPABILITIES,
  type Capability,
  layerLimitation,
  modelCapabilities,
  PER_EXAMPLE_CAPABILITIES,
} from './model/capability';
export { checkBatch, checkPredictInput, checkShapes } from './model/check-batch';
export {
  checkLayerIndex,
  checkRequestLayers,
  checkSpecMatchesDataset,
  resolveExampleWeights,
  resolveGradientVariance,
  resolveSgdStep,
} from './model/check-request';
export { type Dataset, featureSize, validateDataset } from './model/dataset';
export { specSummary } from './model/dense-stack';
export {
  type BufferInfo,
  describeSpec,
  type LayerInfo,
  type LayerShape,
  type ParameterInfo,
  type SpecDescription,
  windowOutput,
} from './model/describe-spec';
export { initializeBuffers, initializeParameters } from './model/initialize';
export type {
  Backend,
  BatchIndices,
  CompileOptions,
  EvaluateRequest,
  EvaluateResult,
  ExampleWeights,
  GradientVarianceRequest,
  Model,
  SecondMomentFidelity,
  SgdStep,
  SgdStepRequest,
  SgdStepResult,
} from './model/model';
export {
  type Activation,
  type ActivationLayer,
  activation,
  avgPool2d,
  type BatchNormLayer,
  type BatchNormOptions,
  batchNorm,
  type Conv2dLayer,
  type Conv2dOptions,
  conv2d,
  type DenseLayer,
  type DenseOptions,
  dense,
  type FlattenLayer,
  flatten,
  type GlobalAvgPool2dLayer,
  globalAvgPool2d,
  type Initializer,
  type LayerSpec,
  type Loss,
  type MlpOptions,
  type ModelSpec,
  maxPool2d,
  mlp,
  type Padding,
  type Pool2dLayer,
  type Pool2dOptions,
  projection,
  type ResidualLayer,
  type ResidualOptions,
  relu,
  residual,
  type SequentialSpec,
  sequential,
} from './model/model-spec';
export { cabsMnistNet } from './model/paper-nets';
export { type AdamOptions, adam } from './optim/adam';
export { rejectUnknownOptions } from './optim/known-options';
export { type MomentumOptions, momentum } from './optim/momentum';
export {
  decayedGradient,
  disposeOptimizerState,
  type Optimizer,
  type OptimizerState,
  type OptimizerUpdate,
} from './optim/optimizer';
export { type AdamHyperParameters, adamStep, composeScaleByAdam, scaleByAdam } from './optim/scale-by-adam';
export { type SgdOptions, sgd } from './optim/sgd';
export { createRng, deriveSeed, type Rng, type RngState } from './random/rng';
export { maxRelativeDifference } from './tensor/max-relative-difference';
export {
  addList,
  axpbyList,
  cloneList,
  disposeList,
  dotList,
  normList,
  readList,
  scaleList,
  subList,
  sumList,
  zerosLikeList,
} from './tensor/parameter-list';
export type { LineKernelInput, ScaleByAdamInput, TensorOps } from './tensor/tensor-ops';
export { createHostTensorOps, type HostTensor, hostTensor } from './tensor/typed-array-ops';
export {
  type Checkpoint,
  makeCheckpoint,
  type RestoreOptions,
  restoreCheckpoint,
  type TestRecord,
} from './train/checkpoint';
export { type DatasetIdentity, datasetIdentity } from './train/dataset-identity';
export { type EvaluationResult, evaluateModel } from './train/evaluate-model';
export { DIVERGENCE_FACTOR, type TrainEvent, type TrainOptions, type TrainResult, train } from './train/train';
export { validateCheckpoint } from './train/validate-checkpoint';
