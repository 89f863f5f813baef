import { describe, expect, it } from 'vitest';
import { metaGradients } from './meta-gradient';
import { mixLogits, softmax } from './mixture';

// A3 (README “Test vectors”), in float64 on the host: fixed features z, a linear head
// logits = h′·Vᵀ + c with c = 0, labels y, mean cross-entropy.
const z = [
  [1, 0, 2],
  [0.5, 1, -1],
];
const V = [
  [0.2, -0.1, 0.3],
  [-0.3, 0.4, 0.1],
];
const y = [0, 1];
const m = Float64Array.from([0.1, -0.2, 0.05]);
const l = [-2, -1, 0.5, 1];

/** F and δ = ∂F/∂h′ of the linear head, by the definition (softmax − one-hot, over n). */
function head(h: number[][]): { loss: number; delta: number[][] } {
  let loss = 0;
  const delta = h.map((row, i) => {
    const logits = V.map((v) => v.reduce((s, vk, k) => s + vk * (row[k] as number), 0));
    const max = Math.max(...logits);
    const e = logits.map((x) => Math.exp(x - max));
    const sum = e.reduce((a, b) => a + b, 0);
    loss += (max + Math.log(sum) - (logits[y[i] as number] as number)) / h.length;
    const p = e.map((x, c) => x / sum - (c === y[i] ? 1 : 0));
    return row.map((_, k) => p.reduce((s, pc, c) => s + pc * (V[c]?.[k] as number), 0) / h.length);
  });
  return { loss, delta };
}

const inject = (lAlpha: number, mm: ArrayLike<number>) =>
  z.map((row) => row.map((v, k) => v * (1 + lAlpha * (mm[k] as number))));
/** F as a function of everything the agent controls. */
const objective = (alpha: number[], logits: number[], mm: ArrayLike<number>) =>
  head(inject(mixLogits(softmax(alpha), logits), mm)).loss;

describe('A3. meta-gradient (float64, linear head)', () => {
  const lAlpha = -0.375; // A2
  const hPrime = inject(lAlpha, m);
  const { loss, delta } = head(hPrime);
  const grads = metaGradients({
    features: z.flat(),
    featureGradient: delta.flat(),
    m,
    lAlpha,
    pi: softmax([0, 0, 0, 0]),
    logits: l,
  });

  it('h′ = h∘(1 + l_α·m) and F = 0.41274532', () => {
    // 1 + l_α·m = [0.9625, 1.075, 0.98125]
    expect(hPrime).toEqual([
      [0.9625, 0, 1.9625],
      [0.48125, 1.075, -0.98125],
    ]);
    expect(loss).toBeCloseTo(0.41274532, 8);
  });

  it('∂F/∂l_α, ∂F/∂m, ∂F/∂l_j and ∂F/∂α match the spec', () => {
    expect(grads.lAlpha).toBeCloseTo(0.01149496, 8);
    [0.00983398, 0.03554603, 0.03630401].forEach((v, k) => expect(grads.m[k]).toBeCloseTo(v, 8));
    // ∂F/∂l_j = π_j·∂F/∂l_α = 0.01149496/4
    for (const g of grads.logits) expect(g).toBeCloseTo(0.00287374, 8);
    // ∂F/∂α_j = π_j (l_j − l_α) ∂F/∂l_α, e.g. 0.25·(−2 + 0.375)·0.01149496 = −0.00466983
    [-0.00466983, -0.00179609, 0.00251452, 0.00395139].forEach((v, j) => expect(grads.alpha[j]).toBeCloseTo(v, 8));
  });

  it('agree with central finite differences (step 1e-6) to about 1e-10', () => {
    const h = 1e-6;
    const alpha0 = [0, 0, 0, 0];
    const central = (f: (e: number) => number) => (f(h) - f(-h)) / (2 * h);
    const dLAlpha = central((e) => head(inject(lAlpha + e, m)).loss);
    expect(Math.abs(dLAlpha - grads.lAlpha)).toBeLessThan(1e-9);
    for (let k = 0; k < 3; k++) {
      const numeric = central((e) =>
        objective(
          alpha0,
          l,
          m.map((v, i) => (i === k ? v + e : v)),
        ),
      );
      expect(Math.abs(numeric - (grads.m[k] as number))).toBeLessThan(1e-9);
    }
    for (let j = 0; j < 4; j++) {
      const dAlpha = central((e) =>
        objective(
          alpha0.map((v, i) => (i === j ? v + e : v)),
          l,
          m,
        ),
      );
      const dLogit = central((e) =>
        objective(
          alpha0,
          l.map((v, i) => (i === j ? v + e : v)),
          m,
        ),
      );
      expect(Math.abs(dAlpha - (grads.alpha[j] as number))).toBeLessThan(1e-9);
      expect(Math.abs(dLogit - (grads.logits[j] as number))).toBeLessThan(1e-9);
    }
  });
});
