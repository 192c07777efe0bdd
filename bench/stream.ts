/**
 * `npm run bench:stream`: can the runner keep up with an agent that prints as fast as it can? A command
 * prints 200,000 lines; its wall time through the agent runner (parse, log, heartbeat, progress) is
 * compared with the same command writing to /dev/null, interleaved in one run. Goal (issue #3): runner
 * ≤ 1.2 × /dev/null, with the worker's memory flat (peak RSS reported).
 *
 * Settings: BENCH_LINES (200000), BENCH_RUNS (5).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAgentActivities } from '../activities/agent/run-agent';

const LINES = Number(process.env['BENCH_LINES'] ?? 200_000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SCRIPT = path.resolve(__dirname, '..', 'test', 'fixtures', 'agents', 'lines.js');

async function toDevNull(): Promise<number> {
  const devNull = fs.openSync('/dev/null', 'w');
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { LINES: String(LINES) }, stdio: ['ignore', devNull, devNull] });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
  fs.closeSync(devNull);
  return performance.now() - started;
}

/** The floor for any reader in this process: the child's output piped to us and thrown away. */
async function pipeOnly(): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { LINES: String(LINES) }, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.resume();
    child.once('error', reject);
    child.once('close', () => resolve());
  });
  return performance.now() - started;
}

async function throughRunner(dataDir: string, run: number): Promise<{ ms: number; peakRssMb: number }> {
  const { runAgent } = createAgentActivities(
    {
      kind: 'command',
      command: process.execPath,
      args: [SCRIPT],
      promptTemplate: undefined,
      promptOnStdin: true,
      timeoutMs: 600_000,
      idleTimeoutMs: 600_000,
      killGraceMs: 5_000,
      maxTurns: undefined,
      maxBudgetUsd: undefined,
      maxLogBytes: 1024 * 1024 * 1024,
      progressIntervalMs: 5_000,
      pricePerMTok: undefined,
      envPassthrough: ['LINES'],
      dataDir,
      workspace: { dataDir, clone: false, cloneUrlTemplate: '', gitToken: undefined, projects: {}, projectRoots: [], forbiddenPaths: [] },
      sourceEnv: { PATH: process.env['PATH'], LINES: String(LINES) },
    },
    async () => {},
  );
  const target = { provider: 'github' as const, owner: 'bench', repo: 'stream', number: run, kind: 'issue' as const };
  const command = { taskId: `bench-${run}`, deliveryId: `d-${run}`, request: 'print', requester: 'bench', commentId: 1, url: '', receivedAt: new Date().toISOString() };
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  const result: Awaited<ReturnType<typeof runAgent>> = await new MockActivityEnvironment().run(runAgent, { target, targetWorkflowId: 'bench', taskWorkflowId: 'bench/task', command });
  const ms = performance.now() - started;
  clearInterval(sampler);
  if (result.lineCount !== LINES) throw new Error(`the runner saw ${result.lineCount} lines, expected ${LINES}`);
  return { ms, peakRssMb: peak / 1024 / 1024 };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-bench-stream-'));
  const baseline: number[] = [];
  const piped: number[] = [];
  const runner: number[] = [];
  const peaks: number[] = [];
  const rssBefore = process.memoryUsage().rss / 1024 / 1024;
  await toDevNull(); // warm-up: the first spawn pays for cold caches
  for (let run = 1; run <= RUNS; run++) {
    baseline.push(await toDevNull());
    piped.push(await pipeOnly());
    const measured = await throughRunner(dataDir, run);
    runner.push(measured.ms);
    peaks.push(measured.peakRssMb);
  }
  const ratio = median(runner) / median(baseline);
  console.log(`bench:stream ${LINES} lines, ${RUNS} runs each, interleaved`);
  console.log(`  /dev/null   median ${median(baseline).toFixed(0)} ms  (runs: ${baseline.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(`  pipe only   median ${median(piped).toFixed(0)} ms  (the floor for any reader of a pipe; runs: ${piped.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(`  runner      median ${median(runner).toFixed(0)} ms  (runs: ${runner.map((v) => v.toFixed(0)).join(', ')})`);
  console.log(`  ratio       ${ratio.toFixed(2)} (goal <= 1.20: ${ratio <= 1.2 ? 'met' : 'MISSED'}); runner / pipe only ${(median(runner) / median(piped)).toFixed(2)}`);
  console.log(`  worker RSS  ${rssBefore.toFixed(0)} MB before, peak ${Math.max(...peaks).toFixed(0)} MB (per run: ${peaks.map((v) => v.toFixed(0)).join(', ')})`);
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
