// Runs a command N times and reports its whole-process wall time and peak memory: the peak of the summed
// RSS of its process tree (sampled every 5 ms from /proc, so child processes count), and the largest
// single process's own peak (VmHWM, what `/usr/bin/time -f %M` reports). Linux only.
//   node bench/measure.mjs N -- command args…
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

const dash = process.argv.indexOf('--');
const runs = Number(process.argv[2] ?? 10);
const [command, ...args] = process.argv.slice(dash + 1);

function status(pid) {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return '';
  }
}

function kib(text, field) {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The pids of `root` and its descendants (read from /proc/PID/task/TID/children: cheap enough to sample
 * often without slowing the measured process down). */
function tree(root) {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    let tasks = [];
    try {
      tasks = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${pids[i]}/task/${tid}/children`, 'utf8').trim();
        if (children) pids.push(...children.split(' ').map(Number));
      } catch {
        // The task ended.
      }
    }
  }
  return pids;
}

async function once() {
  const started = process.hrtime.bigint();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  let peakTree = 0;
  let peakOne = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of tree(child.pid)) {
      const text = status(pid);
      sum += kib(text, 'VmRSS');
      peakOne = Math.max(peakOne, kib(text, 'VmHWM'));
    }
    peakTree = Math.max(peakTree, sum);
  };
  const timer = setInterval(sample, 5);
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(timer);
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${output}`);
  return { wall, peakTree, peakOne, output: output.trim() };
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
const p = (values, q) => values.sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];
const mib = (k) => (k / 1024).toFixed(1);
console.log(`output: ${results[0].output}`);
console.log(
  `wall p50 ${p(results.map((r) => r.wall), 0.5).toFixed(0)} ms, p90 ${p(results.map((r) => r.wall), 0.9).toFixed(0)} ms; ` +
    `peak RSS (process tree) p50 ${mib(p(results.map((r) => r.peakTree), 0.5))} MiB, ` +
    `largest process ${mib(p(results.map((r) => r.peakOne), 0.5))} MiB (n=${runs})`,
);
