/** SVG training plots: round ticks, one path per series, empty and non-finite data handled. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plotSvg, smooth, ticks } from '../../src/io/plot.js';

test('ticks are round numbers covering the range', () => {
  assert.deepEqual(ticks(0, 10), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(ticks(0.13, 0.61), [0.2, 0.3, 0.4, 0.5, 0.6]);
  assert.deepEqual(ticks(3, 3), [3]);
});

test('plotSvg draws each series, skips NaN, log axes drop non-positive values, empty panels say so', () => {
  const svg = plotSvg([
    { title: 'loss', logY: true, series: [{ name: 'a', points: [[0, 1], [1, 0.5], [2, Number.NaN], [3, 0], [4, 0.25]] }, { name: 'b<', points: [[0, 2], [4, 1]] }] },
    { title: 'empty', series: [] },
    { title: 'one point', series: [{ name: 'p', points: [[5, 5]] }] },
  ]);
  assert.match(svg, /^<svg[^>]*height="660"/);
  assert.equal((svg.match(/<path/g) ?? []).length, 2);
  assert.ok(!svg.includes('NaN'));
  assert.match(svg, /b&lt;/);
  assert.match(svg, /no data yet/);
  assert.match(svg, /<circle/);
});

test('smooth is an exponential moving average', () => {
  assert.deepEqual(smooth([[0, 1], [1, 3]], 0.5), [[0, 1], [1, 2]]);
});
