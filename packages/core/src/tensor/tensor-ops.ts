/**
 * The abstract tensor interface: the elementwise and reduction operations algorithms
 * need, over a backend's own tensor type `T`. Tensors stay on the backend's device;
 * only reductions (`sum`, `dot`) and `read` cross into JavaScript, asynchronously.
 *
 * Ownership: every operation returns a new tensor that the caller owns and must
 * `dispose` (a no-op on typed-array backends, essential on TensorFlow.js). Operations
 * never modify or dispose their inputs.
 */
export interface TensorOps<T> {
  /** Version of this contract; bumped on breaking changes. */
  readonly specificationVersion: 'abs-tensor-ops-v1';
  /** Backend name, for error messages. */
  readonly backend: string;

  /** Uploads float32 data with the given shape (row-major). Copies: later changes to `data` do not leak in. */
  fromArray(data: Float32Array, shape: readonly number[]): T;
  /** Downloads a tensor's values (row-major) into a new array the caller owns. */
  read(x: T): Promise<Float32Array>;
  shape(x: T): readonly number[];
  /** True when `value` is a tensor of this backend (used to walk state trees). */
  isTensor(value: unknown): value is T;
  dispose(x: T): void;

  clone(x: T): T;
  zerosLike(x: T): T;
  /** A tensor of `x`'s shape filled with `value`. */
  fullLike(x: T, value: number): T;

  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  mul(a: T, b: T): T;
  div(a: T, b: T): T;
  /** `s · x` */
  scale(x: T, s: number): T;
  /** `x + s` elementwise */
  addScalar(x: T, s: number): T;
  /** `α·x + β·y` (BLAS axpby); covers axpy and exponential moving averages in one pass. */
  axpby(alpha: number, x: T, beta: number, y: T): T;
  square(x: T): T;
  sqrt(x: T): T;

  /** Σ x, accumulated in the widest precision the backend has. */
  sum(x: T): Promise<number>;
  /** ⟨a, b⟩ = Σ a∘b. */
  dot(a: T, b: T): Promise<number>;

  /**
   * Optional fused kernel for core's `scaleByAdam` (same inputs, same three new tensors, the
   * same values as its composition of the operations above). Backends whose every operation
   * is a pass over memory implement it as one pass; core composes it when absent.
   */
  scaleByAdam?(input: ScaleByAdamInput<T>): { m: T; v: T; direction: T };

  // Optional fused kernels of the line searches, on the line origin + t·u with u = scale(direction,
  // directionScale). Each returns the same new tensor and the same numbers, to the bit, as the
  // composition in its comment (float64 sums in element order, as `sum` and `dot`); backends whose
  // every operation is a pass over memory implement them as one pass (u is never stored), and
  // callers compose them when absent.

  /**
   * The probe `point = axpby(1, origin, distance, u)`, `travelled = dot(sub(point, origin), u)` (how
   * far the stored, rounded point moved along u, times ⟨u, u⟩) and `directionDot = dot(u, u)`.
   */
  probeLine?(
    line: LineKernelInput<T>,
    distance: number,
  ): Promise<{ point: T; travelled: number; directionDot: number }>;
  /**
   * The move `point = axpby(1, origin, distance, u)` and `sum = sum(point)`, which is not finite iff
   * `point` holds a non-finite entry (float32 values cannot overflow a float64 sum of this size).
   */
  moveAlongLine?(line: LineKernelInput<T>, distance: number): Promise<{ point: T; sum: number }>;
}

/** The moments update and bias-corrected direction of Adam for one tensor (see `scaleByAdam`). */
export interface ScaleByAdamInput<T> {
  readonly gradient: T;
  readonly m: T;
  readonly v: T;
  readonly beta1: number;
  readonly beta2: number;
  /** `√v̂` is multiplied by this: (1−β1^t)/√(1−β2^t). */
  readonly rootScale: number;
  /** Added to the scaled root: ε·(1−β1^t). */
  readonly shift: number;
}

/** The line of `probeLine` and `moveAlongLine`: origin + t·u, u = scale(direction, directionScale). */
export interface LineKernelInput<T> {
  readonly origin: T;
  readonly direction: T;
  /** c in u = c·direction; with 1, u is `direction` itself (1·x is x exactly). */
  readonly directionScale: number;
}
