/**
 * Child process for test/retrieval/bank_atomic.test.ts, killed with SIGKILL by the test:
 *   build <target>: start a new bank at <target>, add 50 documents, print "added", then wait to be killed;
 *   add <target> <n> <imageBytes>: open the bank, print "adding", add n documents with large images in one call.
 */
import { randomBytes } from 'node:crypto';
import { BankWriter, MemoryBank } from '../../src/retrieval/bank.js';
import { makeCentroids, sampleClustered } from '../../src/retrieval/synthetic.js';
import { Rng } from '../../src/tensor/index.js';
import { docsFrom } from './bank_docs.js';

const CHILD_DIM = 8;
const spec = { dim: CHILD_DIM, clusters: 4, spread: 0.5 };

function vectors(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return sampleClustered(makeCentroids(spec, rng), spec, n, rng);
}

const [mode, target, n, imageBytes] = process.argv.slice(2);
if (mode === 'build') {
  const w = await BankWriter.create(target, { dim: CHILD_DIM, embedder: 'new' });
  await w.add(docsFrom(vectors(50, 1), CHILD_DIM, 'partial'));
  process.stdout.write('added\n');
  setInterval(() => {}, 1000);  // wait for SIGKILL
} else if (mode === 'add') {
  const bank = await MemoryBank.open(target);
  const docs = docsFrom(vectors(Number(n), 2), CHILD_DIM, 'big').map((d) => ({ ...d, image: randomBytes(Number(imageBytes)) }));
  process.stdout.write('adding\n');
  await bank.add(docs);
  process.stdout.write('added\n');
  bank.close();
} else {
  throw new Error(`bank_child: unknown mode "${mode}"`);
}
