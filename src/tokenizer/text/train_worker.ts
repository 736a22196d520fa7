/**
 * tokenizer/text/train_worker.ts — child-process entry for trainTextBpe: trains a byte-level BPE
 * with the native `tokenizers` package on one text file and saves its raw tokenizer.json.
 * It runs in its own process only because the Rust trainer println!()s blank lines to stdout
 * (progress-bar teardown) with no way to turn that off from Node; the parent discards our stdout.
 * Usage: node train_worker.js <corpus.txt> <out.json>
 */
import { BPE, Tokenizer, byteLevelPreTokenizer } from 'tokenizers';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: train_worker.js <corpus.txt> <out.json>\n');
  process.exit(2);
}
// The node binding has no trainer options: train() uses the model's default BpeTrainer
// (vocab_size 30000, min_frequency 0, no special tokens); the caller truncates the merges.
const tok = new Tokenizer(BPE.empty());
tok.setPreTokenizer(byteLevelPreTokenizer(false, true));
tok.train([input]);
tok.save(output, false);
