/**
 * bench/memory.ts — `npm run bench -- memory`: RSS over 10k training steps of the golden-size
 * GPT. With tidy() scopes and pooled buffers the RSS must plateau, not grow with the step count.
 */
import { GPT } from '../src/model/gpt.js';
import { GPT_PRESETS } from '../src/model/presets.js';
import { AdamW } from '../src/optim/adamw.js';
import { clipGradNorm } from '../src/optim/clip.js';
import { backward, poolStats, randint, Rng, tapeLength, tidy } from '../src/tensor/index.js';
import { table } from './util.js';

export function runMemoryBench(steps = 10_000, every = 1000): boolean {
  const model = new GPT(GPT_PRESETS.golden);
  const opt = new AdamW(model.namedParameters(), { lr: 1e-3 });
  const rng = new Rng(3);
  const rows: (string | number)[][] = [['step', 'RSS MB', 'heap used MB', 'external MB', 'pooled buffers', 'tape nodes', 'loss']];
  const rss: number[] = [];
  const t0 = Date.now();
  for (let s = 1; s <= steps; s++) {
    const loss = tidy(() => {
      const ids = randint([4, 16], 97, rng), tgt = randint([4, 16], 97, rng);
      const l = model.loss(ids, tgt);
      backward(l);
      return l.item();
    });
    clipGradNorm(model.parameters(), 1);
    opt.step();
    opt.zeroGrad();
    if (s % every === 0) {
      const m = process.memoryUsage();
      rss.push(m.rss / 2 ** 20);
      rows.push([s, (m.rss / 2 ** 20).toFixed(1), (m.heapUsed / 2 ** 20).toFixed(1), (m.external / 2 ** 20).toFixed(1),
        poolStats().buffers, tapeLength(), loss.toFixed(3)]);
    }
  }
  console.log(`# memory: ${steps} training steps of the golden GPT (batch 4 x 16), ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  console.log(table(rows));
  const growth = rss[rss.length - 1] - rss[0];
  const ok = growth < Math.max(16, 0.1 * rss[0]);
  console.log(`\nRSS change from step ${every} to ${steps}: ${growth.toFixed(1)} MB -> ${ok ? 'bounded' : 'GROWING'}`);
  return ok;
}
