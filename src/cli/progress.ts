/**
 * cli/progress.ts — one-line progress for long jobs: rewrites the line on a TTY, prints every
 * `every` updates otherwise (CI logs stay readable).
 */
export class Progress {
  private readonly start: number;
  private last = 0;
  /** Work already done when this run started (a resumed job): not counted in the rate. */
  private base = 0;
  private stepped = false;
  constructor(private readonly total: number, private readonly label: string, private readonly every = 25,
    private readonly out: NodeJS.WriteStream = process.stderr, private readonly now: () => number = Date.now) {
    this.start = now();
  }

  /**
   * For a training loop reporting each finished step (1-based): the first report marks where this
   * run started, so a resumed run's ETA uses its own rate, not the checkpoint's step count.
   */
  step(step: number, info: string): void {
    if (!this.stepped) { this.base = step - 1; this.stepped = true; }
    this.update(step, info);
  }

  update(done: number, info: string): void {
    const elapsed = (this.now() - this.start) / 1000;
    const eta = done > this.base ? (elapsed / (done - this.base)) * (this.total - done) : 0;
    const line = `${this.label} ${done}/${this.total} ${info} | ${elapsed.toFixed(0)}s elapsed, ETA ${eta.toFixed(0)}s`;
    if (this.out.isTTY) this.out.write(`\r${line.padEnd(this.last)}`);
    else if (done % this.every === 0 || done === this.total) this.out.write(`${line}\n`);
    this.last = line.length;
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
