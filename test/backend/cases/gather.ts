/**
 * Gather / scatterAdd conformance: repeated indices, embedding-sized threaded rows, inner = 1, and
 * out-of-range indices (throw, write nothing).
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { refBackend } from '../../../src/backend/ref/index.js';
import { Rng } from '../../../src/tensor/random.js';
import {
  C, expectExact, expectNmse, expectThrows, nanFilled, randn, TOL, W, type SuiteContext,
} from './util.js';

/** Registers the `gather / scatterAdd` cases. */
export function gatherSuite(ctx: SuiteContext): void {
  const { it } = ctx;
  describe('gather / scatterAdd', () => {
    const cases = [
      ['(3,10,7) with repeated indices', 3, 10, 7, [4, 0, 9, 4, 4, 2, 9, 1, 0, 0, 5, 3]],
      ['embedding (1,100,64), 600 rows (threaded)', 1, 100, 64, Array.from({ length: 600 }, (_, j) => (j * 37) % 100)],
      ['inner = 1', 4, 6, 1, [5, 5, 0, 1]],
    ] as const;
    for (const [title, outer, size, inner, idxList] of cases) {
      it(`gather ${title}`, () => {
        const r = new Rng(1200 + inner);
        const src = randn(r, outer * size * inner), idx = Int32Array.from(idxList), n = idx.length;
        const got = nanFilled(outer * n * inner), want = new Float64Array(outer * n * inner);
        ctx.be.gather(src, outer, size, inner, idx, n, got);
        refBackend.gather(W(src), outer, size, inner, idx, n, want);
        expectExact(`gather ${title}`, got, want);
        expectNmse(`gather ${title}`, got, want, TOL.copy);
      });
      it(`scatterAdd ${title}: repeated indices accumulate`, () => {
        const r = new Rng(1250 + inner);
        const idx = Int32Array.from(idxList), n = idx.length;
        const g = randn(r, outer * n * inner), dst0 = randn(r, outer * size * inner);
        const got = C(dst0), want = W(dst0);
        ctx.be.scatterAdd(g, outer, size, inner, idx, n, got);
        refBackend.scatterAdd(W(g), outer, size, inner, idx, n, want);
        expectNmse(`scatterAdd ${title}`, got, want, TOL.rounding);
      });
    }
    it('an out-of-range index throws and writes nothing', () => {
      const outer = 2, size = 5, inner = 3;
      const src = randn(new Rng(1290), outer * size * inner);
      for (const bad of [[0, 5], [1, -1], [2, 3, 99]]) {
        const idx = Int32Array.from(bad), n = idx.length;
        const out = new Float32Array(outer * n * inner).fill(42);
        expectThrows(`gather [${bad}]`, () => ctx.be.gather(src, outer, size, inner, idx, n, out), /out of range|index/i);
        assert.ok(out.every((v) => v === 42), 'gather wrote before throwing');
        const g = new Float32Array(outer * n * inner).fill(1), dst = new Float32Array(outer * size * inner).fill(7);
        expectThrows(`scatterAdd [${bad}]`, () => ctx.be.scatterAdd(g, outer, size, inner, idx, n, dst), /out of range|index/i);
        assert.ok(dst.every((v) => v === 7), 'scatterAdd wrote before throwing');
      }
    });
  });
}
