// Start time and memory of the Authlens window beside a minimal Tauri window (scripts/bench-desktop.sh
// builds both in release and seeds the history). Reports numbers; asserts nothing.
//
//   node scripts/bench/desktop.mjs --app A --minimal M --data DIR [--runs 7]
//
// Start time: from just before spawning the binary to the window reporting its first view painted (both
// call `ui_ready` two animation frames after their first view is in the DOM; Authlens's first view is the
// Run view with the lab loaded). Memory: resident (RSS) and proportional (PSS, shared pages split between
// processes) set of the app plus every process under it (WebKit's web and network processes).

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { By, launchApp, nav, runLab, waitFor } from '../../tests/e2e/lib/app.mjs';

const { values: opt } = parseArgs({
  options: {
    app: { type: 'string' },
    minimal: { type: 'string' },
    data: { type: 'string' },
    runs: { type: 'string', default: '7' },
    settle: { type: 'string', default: '3000' },
  },
});
if (!opt.app || !opt.minimal || !opt.data) {
  console.error('usage: desktop.mjs --app BIN --minimal BIN --data SEEDED_DATA_DIR [--runs N]');
  process.exit(2);
}
const RUNS = Number(opt.runs);
const SETTLE_MS = Number(opt.settle);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A private copy of the seeded data dir, so every launch starts from the same history. */
function freshData() {
  const dir = mkdtempSync(join(tmpdir(), 'authlens-bench-'));
  cpSync(opt.data, dir, { recursive: true });
  return dir;
}

/** Launch a binary, resolve with {ms, proc} once it reports its first view painted. */
function launch(bin, env) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const proc = spawn(bin, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${bin}: no "first view painted" within 60 s:\n${err}`));
    }, 60_000);
    proc.stderr.on('data', (c) => {
      err = (err + c.toString()).slice(-10_000);
      const m = /first view painted.*unix_ms=(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ ms: Number(m[1]) - t0, proc });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited with ${code} before painting:\n${err}`));
    });
  });
}

async function stop(proc) {
  if (proc.exitCode !== null) return;
  const gone = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([gone, sleep(5000)]);
  if (proc.exitCode === null) proc.kill('SIGKILL');
}

/** pid -> parent pid for every process we may read. */
function processTable() {
  const table = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      table.set(Number(name), ppid);
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

function kb(file, key) {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** RSS and PSS (MiB) of pid and all its descendants, with the process names. */
function treeMemory(root) {
  const table = processTable();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [pid, ppid] of table) if (ppid === pids[i]) pids.push(pid);
  let rss = 0;
  let pss = 0;
  const names = [];
  for (const pid of pids) {
    rss += kb(`/proc/${pid}/status`, 'VmRSS');
    pss += kb(`/proc/${pid}/smaps_rollup`, 'Pss');
    try {
      names.push(readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    } catch {
      // exited
    }
  }
  return { rss: rss / 1024, pss: pss / 1024, processes: names };
}

/** The pid of a running binary (the app launched by tauri-driver is not our child). */
function pidOf(bin) {
  const want = realpathSync(bin);
  for (const [pid] of processTable()) {
    try {
      if (realpathSync(`/proc/${pid}/exe`) === want) return pid;
    } catch {
      // not ours to read, or exited
    }
  }
  return null;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, d = 0) => x.toFixed(d);

async function startTimes() {
  const times = { authlens: [], minimal: [] };
  // Alternate, and throw away one warm-up of each (cold page cache is not what a user sees twice).
  for (let i = -1; i < RUNS; i++) {
    for (const [name, bin] of [['minimal', opt.minimal], ['authlens', opt.app]]) {
      const { ms, proc } = await launch(bin, { AUTHLENS_DATA_DIR: freshData(), RUST_LOG: 'info' });
      await stop(proc);
      if (i >= 0) times[name].push(ms);
    }
  }
  return times;
}

async function idleMemory(bin) {
  const { proc } = await launch(bin, { AUTHLENS_DATA_DIR: freshData(), RUST_LOG: 'info' });
  await sleep(SETTLE_MS);
  const mem = treeMemory(proc.pid);
  await stop(proc);
  return mem;
}

/** Authlens after a lab run, with the seeded history listed: driven through WebDriver like a user. */
async function memoryAfterLabRun() {
  process.env.AUTHLENS_APP = opt.app;
  const app = await launchApp({ dataDir: freshData() });
  try {
    const { driver } = app;
    await waitFor(driver, async () => (await driver.findElement(By.css('body')).getText()).includes('Try the built-in lab'), 'the Run view');
    await runLab(driver, 'jwt');
    await nav(driver, 'History');
    await waitFor(driver, async () => (await driver.findElements(By.css('table.data-table tbody tr'))).length > 1, 'the seeded history');
    const exchanges = await driver.executeScript(
      `return [...document.querySelectorAll('table.data-table tbody tr')].reduce((n, tr) => n + Number(tr.children[6]?.textContent || 0), 0)`,
    );
    await sleep(SETTLE_MS);
    const pid = pidOf(opt.app);
    if (!pid) throw new Error('cannot find the app process');
    return { ...treeMemory(pid), exchanges };
  } finally {
    await app.close();
  }
}

const times = await startTimes();
const idleApp = await idleMemory(opt.app);
const idleMin = await idleMemory(opt.minimal);
const afterRun = await memoryAfterLabRun();

const a = median(times.authlens);
const m = median(times.minimal);
console.log(`\nStart to first view painted (release, Xvfb, median of ${RUNS}, ms)`);
console.log(`  Authlens        ${fmt(a)}   (runs: ${times.authlens.join(', ')})`);
console.log(`  minimal Tauri   ${fmt(m)}   (runs: ${times.minimal.join(', ')})`);
console.log(`  ratio           ${fmt(a / m, 2)}x   (target <= 1.5x)`);
console.log(`\nMemory of the app and its WebKit processes (MiB)`);
console.log(`  minimal Tauri, idle after first paint        RSS ${fmt(idleMin.rss, 1)}  PSS ${fmt(idleMin.pss, 1)}  [${idleMin.processes.join(', ')}]`);
console.log(`  Authlens, idle after first paint             RSS ${fmt(idleApp.rss, 1)}  PSS ${fmt(idleApp.pss, 1)}  [${idleApp.processes.join(', ')}]`);
console.log(
  `  Authlens, after a lab run, history listed    RSS ${fmt(afterRun.rss, 1)}  PSS ${fmt(afterRun.pss, 1)}  (${afterRun.exchanges} exchanges in history)`,
);
console.log(`  ratio after the lab run (PSS)                ${fmt(afterRun.pss / idleMin.pss, 2)}x   (target <= 1.3x)`);
console.log(`  ratio after the lab run (RSS)                ${fmt(afterRun.rss / idleMin.rss, 2)}x`);
