/**
 * conformance.case.ts — one conformance suite for every Backend (in the style of hono's shared
 * router tests): each `*.test.ts` next to this file calls runBackendSuite with its backend. The
 * cases live in cases/, one module per op family (shared helpers and TOL: cases/util.ts).
 *
 * Every case feeds the backend under test float32 arrays and compares its outputs against the
 * "truth": the reference kernels (refBackend) run in float64 on Float64Array copies holding the
 * very same (float32-representable) values. The main metric is ggml's normalised MSE,
 *     NMSE = mse(got, truth) / mse(truth, 0) = sum (got - truth)^2 / sum truth^2,
 * computed over the elements where the float32-rounded truth is finite; non-finite elements must
 * match class exactly (NaN <-> NaN, +inf <-> +inf, -inf <-> -inf). Where exactness matters
 * (copies, gather, argmax, single correctly-rounded ops) there is an elementwise check too.
 *
 * Thresholds (TOL, cases/util.ts). One float32 rounding of every output gives NMSE ~ eps^2/3 ~ 1e-15
 * (eps = 2^-24 ~ 6e-8); an n-term float32 sum has a deterministic worst case of ~(n eps)^2. Each
 * budget sits near that worst case for the sizes used here and 100-10000x above the largest value
 * measured on either backend (native/OpenBLAS and ref fed float32; vqDist ~60x), yet far below what
 * a real bug produces: a wrong stride, a dropped or doubled term, an ignored beta or weight all give
 * NMSE >= 1e-2, and even rounding probabilities to 5 decimals (a low-precision accumulation) trips the
 * softmax budget. Known disagreements would be listed in KNOWN_BUGS and run as `todo` (none now).
 *
 * Set CONFORMANCE_REPORT=1 to print every measured NMSE / max elementwise error after the run.
 */
import { after, before, describe, test } from 'node:test';
import type { Backend } from '../../src/backend/backend.js';
import { attentionSuite } from './cases/attention.js';
import { elementwiseSuite } from './cases/elementwise.js';
import { gatherSuite } from './cases/gather.js';
import { gemmSuite } from './cases/gemm.js';
import { lossSuite } from './cases/loss.js';
import { normSuite } from './cases/norm.js';
import { optimSuite } from './cases/optim.js';
import { reduceSuite } from './cases/reduce.js';
import { softmaxSuite } from './cases/softmax.js';
import { measured, REPORT, type It, type SuiteContext } from './cases/util.js';

export { TOL } from './cases/util.js';
export { runNativeInputChecks } from './cases/bad_input.js';

/**
 * Known disagreements, by backend name and test title: these run as `todo` (reported, not failing)
 * until the kernel is fixed. Remove the entry once the test passes.
 */
const KNOWN_BUGS: Record<string, Record<string, string>> = {};

export function runBackendSuite(name: string, makeBackend: () => Backend): void {
  const known = KNOWN_BUGS[name] ?? {};
  /** test() that runs as todo when the title is a known bug of this backend. */
  const it: It = (title, fn) => {
    const todo = known[title];
    test(title, todo ? { todo } : {}, fn);
  };

  describe(`backend conformance: ${name}`, () => {
    let be: Backend;
    before(() => { be = makeBackend(); });
    after(() => {
      if (REPORT && measured.length) {
        console.log(`\n# conformance measurements (${name})\n` + measured.map((l) => `#   ${l}`).join('\n'));
        measured.length = 0;
      }
    });
    const ctx: SuiteContext = { get be() { return be; }, it };

    // The op families (one module each under cases/), registered in this order.
    gemmSuite(ctx); //        gemm
    elementwiseSuite(ctx); // unary, binary, affine, copy
    reduceSuite(ctx); //      reduce, sumSquares
    softmaxSuite(ctx); //     softmax
    normSuite(ctx); //        layerNorm, rmsNorm
    gatherSuite(ctx); //      gather / scatterAdd
    attentionSuite(ctx); //   attention
    lossSuite(ctx); //        crossEntropy
    optimSuite(ctx); //       adamw, vqNearest
  });
}
