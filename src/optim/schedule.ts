/**
 * optim/schedule.ts — learning-rate schedules: linear warmup then cosine or linear decay.
 */
export interface ScheduleOpts {
  peak: number;
  warmup: number;
  total: number;
  /** Floor reached at `total` (default 0). */
  min?: number;
  decay?: 'cosine' | 'linear' | 'constant';
}

/** Learning rate at `step` (0-based): linear warmup from peak/warmup to peak, then the decay. */
export function learningRate(step: number, o: ScheduleOpts): number {
  const min = o.min ?? 0;
  if (!(o.total > 0) || o.warmup < 0 || o.warmup > o.total) {
    throw new RangeError(`schedule: need 0 <= warmup (${o.warmup}) <= total (${o.total}), total > 0`);
  }
  if (step < o.warmup) return (o.peak * (step + 1)) / o.warmup;
  if (o.decay === 'constant') return o.peak;
  const span = Math.max(1, o.total - o.warmup);
  const t = Math.min(1, (step - o.warmup) / span);
  const f = o.decay === 'linear' ? 1 - t : 0.5 * (1 + Math.cos(Math.PI * t));
  return min + (o.peak - min) * f;
}
