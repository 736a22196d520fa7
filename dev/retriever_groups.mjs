// dev/retriever_groups.mjs — where text→image recall on held-out concepts succeeds and fails,
// split by how many images a concept has (2 or 4: one emoji in several styles; 24+: an emoji
// with skin-tone variants in several styles). For each query (the same seeded caption per image
// as `cm3leon retriever eval`) it reports: the paired image in the top 10, any image whose own
// captions include the query caption (an equally correct answer) in the top 10, any image of the
// concept in the top 10.
// Usage (after `npm run build`): node dev/retriever_groups.mjs DATA_DIR [RETRIEVER.safetensors]
import { loadPairs, RETRIEVER_SPLITS } from '../dist/src/retrieval/data.js';
import { defaultRetrieverPath } from '../dist/src/retrieval/defaults.js';
import { Retriever } from '../dist/src/retrieval/retriever.js';
import { Rng } from '../dist/src/tensor/index.js';
import { defaultTextTokenizerPath } from '../dist/src/tokenizer/defaults.js';
import { TextTokenizer } from '../dist/src/tokenizer/text/index.js';

const [data, model = defaultRetrieverPath()] = process.argv.slice(2);
if (!data) { console.error('usage: node dev/retriever_groups.mjs DATA_DIR [RETRIEVER.safetensors]'); process.exit(2); }
const r = Retriever.load(model, TextTokenizer.fromJson(defaultTextTokenizerPath()));
const pairs = await loadPairs(data, RETRIEVER_SPLITS.heldoutConcept, r.config.imageSize);
const rng = new Rng(0);
const caps = pairs.map((p) => p.captions[rng.int(p.captions.length)]);
const [t, v] = await r.embedPairsRead(caps, pairs.map((p) => p.image));
const size = new Map();
for (const p of pairs) size.set(p.concept, (size.get(p.concept) ?? 0) + 1);
const groups = new Map();
for (let i = 0; i < pairs.length; i++) {
  const score = v.map((vj) => vj.reduce((a, x, k) => a + x * t[i][k], 0));
  const top = score.map((s, j) => [s, j]).sort((a, b) => b[0] - a[0]).slice(0, 10).map(([, j]) => j);
  const g = size.get(pairs[i].concept), key = g >= 24 ? '24 or more' : String(g);
  const e = groups.get(key) ?? { n: 0, paired: 0, sharing: 0, concept: 0 };
  e.n++;
  e.paired += top.includes(i);
  e.sharing += top.some((j) => pairs[j].concept === pairs[i].concept && pairs[j].captions.includes(caps[i]));
  e.concept += top.some((j) => pairs[j].concept === pairs[i].concept);
  groups.set(key, e);
}
const pct = (x, n) => `${((100 * x) / n).toFixed(1)}%`;
console.log(`${model}\n| images per concept | queries | paired R@10 | caption-sharing R@10 | concept R@10 |\n|---|---|---|---|---|`);
for (const [k, e] of [...groups].sort((a, b) => parseInt(a[0]) - parseInt(b[0]))) console.log(`| ${k} | ${e.n} | ${pct(e.paired, e.n)} | ${pct(e.sharing, e.n)} | ${pct(e.concept, e.n)} |`);
