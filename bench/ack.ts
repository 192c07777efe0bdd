/**
 * `npm run bench:ack`: how long the gateway takes to acknowledge a signed webhook, against the stack
 * `npm run dev` starts (embedded dev server, worker, gateway), and in the same run the latency of the
 * same `signalWithStart` from a plain client. Open loop at a steady rate: a slow answer never delays the
 * next send. Each load runs in a process of its own, so neither's timings include the other's work.
 *
 * Settings (environment): BENCH_RATE (webhooks/s, 50), BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (3),
 * BENCH_TARGETS (PRs the commands are spread over, 20), BENCH_BARE (`redeliver` or `own`, see LoadPlan),
 * BENCH_AGENT_SECONDS (0: the agent is `true` and every task runs to its end at once; N: each agent run
 * takes N s, as real ones take minutes, so tasks queue behind AGENT_MAX_CONCURRENT as they would),
 * BENCH_SAME_PROCESS=1 (both loads in this process, as the first version of the bench did).
 * Besides latencies it reports where the CPU went (a shared machine makes runs incomparable) and how
 * many tasks had finished (whether the stack kept up with the rate).
 * Goal (issue #2): gateway p50 - bare p50 <= 2 ms, and gateway p99 < 50 ms at 50/s.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { GithubStandIn } from '../test/support/github-stand-in';
import { freePort } from '../test/support/temporal';
import { cpuSnapshot, describeCpu, type CpuSnapshot } from './cpu-usage';
import { runLoad, type LoadPlan, type LoadResult } from './load';

const RATE = Number(process.env['BENCH_RATE'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 3);
/** Commands spread over this many PRs, as on a busy repository: each PR runs its commands in turn. */
const TARGETS = Number(process.env['BENCH_TARGETS'] ?? 20);
const BARE: LoadPlan['bare'] = process.env['BENCH_BARE'] === 'own' ? 'own' : 'redeliver';
const AGENT_SECONDS = Number(process.env['BENCH_AGENT_SECONDS'] ?? 0);
const SAME_PROCESS = process.env['BENCH_SAME_PROCESS'] === '1';
const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  // The tests' GitHub API stand-in: it answers every call the worker makes as GitHub would, at once.
  const github = await new GithubStandIn().start();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-bench-'));
  const [gatewayPort, temporalPort, uiPort, metricsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const stackEnv: Record<string, string> = {
    GATEWAY_PORT: String(gatewayPort),
    GATEWAY_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    METRICS_HOST: '127.0.0.1',
    TEMPORAL_DEV_PORT: String(temporalPort),
    TEMPORAL_UI_PORT: String(uiPort),
    AGENT_BOT_DATA_DIR: dataDir,
    GITHUB_WEBHOOK_SECRET: 'bench-secret',
    GITHUB_API_URL: github.url,
    AGENT_KIND: 'command',
    // An empty folder for the agent: a clone would reach for github.com, which the stand-in is not.
    AGENT_CLONE: 'false',
    ...(AGENT_SECONDS > 0 ? { AGENT_COMMAND: 'sh', AGENT_ARGS: JSON.stringify(['-c', `sleep ${AGENT_SECONDS}`]) } : { AGENT_COMMAND: 'true' }),
  };
  const stack = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'dev.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...stackEnv },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  stack.stderr?.resume();
  try {
    const plan = {
      bare: BARE,
      rate: RATE,
      total: Math.round((SECONDS + WARMUP_SECONDS) * RATE),
      warmup: Math.round(WARMUP_SECONDS * RATE),
      targets: TARGETS,
      run: randomUUID().slice(0, 8),
      stackEnv,
      gatewayUrl: `http://127.0.0.1:${gatewayPort}`,
      temporalAddress: `127.0.0.1:${temporalPort}`,
    };
    await waitForStack(plan.gatewayUrl);
    const agent = AGENT_SECONDS > 0 ? `${AGENT_SECONDS} s per agent run` : 'agent `true`';
    console.log(`bench:ack ${RATE}/s for ${SECONDS}s (+${WARMUP_SECONDS}s warm-up) over ${TARGETS} PRs, bare ${BARE}, ${agent}, loads in ${SAME_PROCESS ? 'one process' : 'two processes'}`);
    const [gateway, bare, cpu] = await measure(plan, stack.pid);
    report(gateway, bare, cpu);
    await reportWork(plan.temporalAddress, plan.total * (BARE === 'own' ? 2 : 1));
  } finally {
    stack.kill('SIGINT');
    await new Promise((resolve) => stack.once('exit', resolve));
    await github.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs both loads from one start time; CPU is sampled over the measured part only. */
async function measure(plan: Omit<LoadPlan, 'kind' | 'epoch'>, stackPid: number | undefined): Promise<[LoadResult, LoadResult, string | undefined]> {
  const starters: LoadStarter[] = SAME_PROCESS
    ? (['gateway', 'bare'] as const).map((kind) => ({ run: (epoch) => runLoad({ ...plan, kind, epoch }), release: () => undefined }))
    : await Promise.all((['gateway', 'bare'] as const).map((kind) => startLoadProcess({ ...plan, kind, epoch: 0 })));
  const epoch = Date.now() + 200;
  const pids = [stackPid ?? -1, process.pid];
  let cpuBefore: CpuSnapshot | undefined;
  const sampler = setTimeout(() => (cpuBefore = cpuSnapshot(pids)), epoch + (plan.warmup * 1000) / plan.rate - Date.now());
  const [gateway, bare] = await Promise.all(starters.map((start) => start.run(epoch)));
  clearTimeout(sampler);
  const cpu = describeCpu(cpuBefore, cpuSnapshot(pids));
  for (const starter of starters) starter.release();
  return [gateway!, bare!, cpu];
}

interface LoadStarter {
  run(epoch: number): Promise<LoadResult>;
  /** Lets a load process exit, once its CPU time has been read. */
  release(): void;
}

/** Forks bench/load.ts, waits until it is connected, and returns how to start it. */
async function startLoadProcess(plan: LoadPlan): Promise<LoadStarter> {
  const child: ChildProcess = fork(path.join(__dirname, 'load.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_PLAN: JSON.stringify(plan) },
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the ${plan.kind} load exited with ${code}`))));
  await Promise.race([new Promise((resolve) => child.once('message', resolve)), exited]);
  return {
    async run(epoch) {
      child.send({ epoch });
      return Promise.race([new Promise<LoadResult>((resolve) => child.once('message', (result) => resolve(result as LoadResult))), exited]);
    },
    release: () => child.disconnect(),
  };
}

function report(gateway: LoadResult, bare: LoadResult, cpu: string | undefined): void {
  const g = summarize(gateway.latencies);
  const b = summarize(bare.latencies);
  console.log(`gateway ack          p50 ${g.p50.toFixed(2)} ms  p95 ${g.p95.toFixed(2)} ms  p99 ${g.p99.toFixed(2)} ms  (n=${g.n})`);
  console.log(`bare signalWithStart p50 ${b.p50.toFixed(2)} ms  p95 ${b.p95.toFixed(2)} ms  p99 ${b.p99.toFixed(2)} ms  (n=${b.n})`);
  console.log(`gateway overhead at p50: ${(g.p50 - b.p50).toFixed(2)} ms (goal <= 2 ms); gateway p99 ${g.p99 < 50 ? 'meets' : 'MISSES'} the 50 ms goal`);
  for (const load of [gateway, bare]) {
    if (load.lateSends > 0) console.log(`warning: the ${load.kind} load sent ${load.lateSends} requests over 5 ms late (max ${load.maxSendLagMs} ms)`);
  }
  if (cpu !== undefined) console.log(cpu);
}

/** Whether the stack kept up: tasks still running when the last ack came back are a backlog. */
async function reportWork(address: string, commands: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection });
    const done = await client.workflow.count(`WorkflowType = 'taskWorkflow' AND ExecutionStatus != 'Running'`);
    const running = await client.workflow.count(`WorkflowType = 'taskWorkflow' AND ExecutionStatus = 'Running'`);
    console.log(`work: ${done.count} of ${commands} tasks finished by the last ack, ${running.count} running`);
  } finally {
    await connection.close();
  }
}

function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function waitForStack(gatewayUrl: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${gatewayUrl}/health/ready`);
      if (response.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the npm run dev stack did not come up within 3 minutes');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
