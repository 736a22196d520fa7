// scripts/run-tests.mjs — run every compiled *.test.js under dist/test with Node's test runner
// (passing the folder would also run helper and case modules as empty "tests"). A watchdog kills
// the whole run after CM3LEON_TEST_TIMEOUT_MIN minutes (default 20): a hang inside a native call
// blocks Node's own per-test timers, and CI must not sit on it for its full 90 minutes.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function find(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? find(p) : n.endsWith('.test.js') ? [p] : [];
  });
}

const files = find('dist/test').sort();
const minutes = Number(process.env.CM3LEON_TEST_TIMEOUT_MIN) || 20;
const child = spawn(process.execPath, ['--test', '--test-reporter=spec', ...process.argv.slice(2), ...files],
  { stdio: 'inherit', detached: true });
const timer = setTimeout(() => {
  console.error(`\nrun-tests: no result after ${minutes} minutes; killing the test run (a hang?)`);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
  process.exit(1);
}, minutes * 60_000);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  process.exit(code ?? (signal ? 1 : 0));
});
