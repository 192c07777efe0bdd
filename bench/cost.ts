/**
 * `npm run bench:cost`: what a task costs in provider calls and Temporal history, against the processes
 * `npm run dev` runs and a GitHub stand-in that enforces GitHub's secondary limits on writes.
 *   (a) one short task on a PR: GitHub calls by kind, history events and activities of the task and its
 *       conversation. Goal: ≤ 6 calls, ≤ 40 events.
 *   (b) one 5-minute task with a chatty agent: writes per task-minute after the first minute. Goal: ≤ 1.5.
 *   (c) 10 concurrent 10-minute tasks: throttled answers (goal 0), and each final answer's delay after
 *       its agent ended (goal ≤ 10 s).
 *   (d) webhooks at 5/s: p50/p95 from webhook to agent process spawned. Goal: p95 < 1 s.
 * (b) and (c) are compressed in time by COST_TIME_SCALE (10): every interval and limit the run depends on
 * (agent time, PROGRESS_COMMENT_INTERVAL, PROGRESS_COMMENT_MAX_INTERVAL, GitHub's limits and our write
 * budget) is divided by it, so a 10-minute task takes one, and rates are reported in task-minutes.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { commentPayload, sendGithubDelivery } from '../test/support/webhooks';
import { BENCH_SECRET, startBenchStack, type BenchStack } from './stack';

const SCALE = Number(process.env['COST_TIME_SCALE'] ?? 10);
const MINUTE_MS = 60_000;
const AGENT = path.join(__dirname, 'cost-agent.js');
const EventType = temporal.api.enums.v1.EventType;

interface Goal {
  label: string;
  value: number;
  goal: number;
  unit?: string;
}

async function main(): Promise<void> {
  console.log(`bench:cost (time scale ${SCALE}: a "minute" of (b) and (c) lasts ${(MINUTE_MS / SCALE / 1000).toFixed(0)} s)`);
  // COST_SCENARIOS=a,d runs only those.
  const only = new Set((process.env['COST_SCENARIOS'] ?? 'a,b,c,d').split(',').map((part) => part.trim()));
  const goals: Goal[] = [];
  if (only.has('a')) goals.push(...(await shortTask()));
  if (only.has('b')) goals.push(...(await longChattyTask()));
  if (only.has('c')) goals.push(...(await concurrentLongTasks()));
  if (only.has('d')) goals.push(...(await spawnLatency()));
  console.log('\nGoals');
  let met = true;
  for (const goal of goals) {
    const ok = goal.value <= goal.goal;
    met &&= ok;
    console.log(`  ${ok ? 'met    ' : 'NOT MET'} ${goal.label}: ${Number.isInteger(goal.value) ? goal.value : goal.value.toFixed(2)}${goal.unit ?? ''} (goal ≤ ${goal.goal}${goal.unit ?? ''})`);
  }
  process.exitCode = met ? 0 : 1;
}

/** Environment of the stand-in agent: how long it works, how often it prints, where it logs start and end. */
function agentEnv(seconds: number, log: string, printEveryMs = 1_000): Record<string, string> {
  return {
    AGENT_COMMAND: process.execPath,
    AGENT_ARGS: JSON.stringify([AGENT]),
    AGENT_ENV_PASSTHROUGH: 'COST_AGENT_SECONDS,COST_AGENT_PRINT_MS,COST_AGENT_LOG',
    COST_AGENT_SECONDS: String(seconds),
    COST_AGENT_PRINT_MS: String(printEveryMs),
    COST_AGENT_LOG: log,
  };
}

/** GitHub's secondary limits (80 writes a minute, 500 an hour) and our budget under them, compressed. */
function limits(scale: number) {
  return {
    stand: [{ limit: 80, perMs: MINUTE_MS / scale }, { limit: 500, perMs: (60 * MINUTE_MS) / scale }],
    ours: `72/${Math.round(MINUTE_MS / scale)}ms,450/${Math.round((60 * MINUTE_MS) / scale)}ms`,
  };
}

async function send(stack: BenchStack, repo: string, number: number, body = '@agent review this'): Promise<number> {
  const sentAt = Date.now();
  const answer = await sendGithubDelivery(stack.gatewayUrl, { event: 'issue_comment', payload: commentPayload({ body, number, repo, commentId: 8_000_000 + number }), deliveryId: randomUUID(), secret: BENCH_SECRET });
  if (answer.status !== 202) throw new Error(`webhook answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return sentAt;
}

function finalOf(stack: BenchStack, repo: string, number: number) {
  return stack.github.commentsOn('acme', repo, number).find((c) => c.body.includes('agent-bot:task=') && !c.body.includes('**⏳ Working**'));
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function shortTask(): Promise<Goal[]> {
  const log = tempLog();
  const stack = await startBenchStack({ ...agentEnv(0.5, log), GITHUB_CHECK_RUNS: 'true' });
  try {
    const repo = `cost-${randomUUID().slice(0, 6)}`;
    const before = stack.github.requests.length;
    await send(stack, repo, 1);
    await until('the 🚀 reaction', () => stack.github.reactionsOn(8_000_001).includes('rocket'), 60_000);
    // A moment for anything still on its way (it must count too).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const calls = stack.github.requests.slice(before);
    const kinds = new Map<string, number>();
    for (const call of calls) {
      const kind = `${call.method} ${call.path.replace(/\/repos\/[^/]+\/[^/]+/, '').replace(/\d+/g, ':n')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const conversation = await stack.client.workflow.getHandle(`github:acme/${repo}#1`).fetchHistory();
    let taskEvents = 0;
    let activities = 0;
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH "github:acme/${repo}#1/task/"` })) {
      const history = await stack.client.workflow.getHandle(execution.workflowId).fetchHistory();
      taskEvents += history.events?.length ?? 0;
      activities += count(history.events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    }
    const conversationEvents = conversation.events?.length ?? 0;
    const localActivities = count(conversation.events, EventType.EVENT_TYPE_MARKER_RECORDED);
    console.log('\n(a) one short task on a pull request');
    console.log(`  GitHub calls: ${calls.length}`);
    for (const [kind, n] of kinds) console.log(`    ${n} × ${kind}`);
    console.log(`  history events: ${conversationEvents + taskEvents} (conversation ${conversationEvents}, task ${taskEvents}); activities ${activities} on the task, ${count(conversation.events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)} + ${localActivities} markers (patch, local activity) on the conversation`);
    console.log('  before this round (issue 12): 15 GitHub calls, 94 history events (27 conversation, 67 task)');
    return [
      { label: '(a) GitHub calls for one short task', value: calls.length, goal: 6 },
      { label: '(a) history events for one short task', value: conversationEvents + taskEvents, goal: 40 },
    ];
  } finally {
    await stack.stop();
  }
}

async function longChattyTask(): Promise<Goal[]> {
  const log = tempLog();
  const minute = MINUTE_MS / SCALE;
  const stack = await startBenchStack({
    ...agentEnv((5 * minute) / 1000, log, 50),
    PROGRESS_COMMENT_INTERVAL: `${Math.round(10_000 / SCALE)}ms`,
    PROGRESS_COMMENT_MAX_INTERVAL: `${Math.round(60_000 / SCALE)}ms`,
    GITHUB_WRITE_LIMITS: limits(SCALE).ours,
  });
  try {
    const repo = `cost-${randomUUID().slice(0, 6)}`;
    await send(stack, repo, 2);
    await until('the final answer', () => finalOf(stack, repo, 2) !== undefined, 20 * minute);
    const runs = readLog(log);
    const start = runs.find((r) => r.event === 'start')!.at;
    const end = runs.find((r) => r.event === 'end')!.at;
    const writes = stack.github.requests.filter((r) => r.method !== 'GET');
    const afterFirstMinute = writes.filter((r) => r.at > start + minute && r.at <= end);
    const minutes = (end - start - minute) / minute;
    const perMinute = afterFirstMinute.length / minutes;
    console.log('\n(b) one 5-minute task, the agent printing 20 lines a second');
    console.log(`  writes: ${writes.length} in all; ${afterFirstMinute.length} after the first minute, over ${minutes.toFixed(1)} task-minutes = ${perMinute.toFixed(2)} a minute`);
    console.log('  before this round: a progress edit every 10 s, each a GET + PATCH + a check-run PATCH (~12 writes a minute)');
    return [{ label: '(b) writes per task-minute after the first minute', value: perMinute, goal: 1.5 }];
  } finally {
    await stack.stop();
  }
}

async function concurrentLongTasks(): Promise<Goal[]> {
  const log = tempLog();
  const minute = MINUTE_MS / SCALE;
  const { stand, ours } = limits(SCALE);
  const stack = await startBenchStack({
    ...agentEnv((10 * minute) / 1000, log, 50),
    AGENT_MAX_CONCURRENT: '10',
    PROGRESS_COMMENT_INTERVAL: `${Math.round(10_000 / SCALE)}ms`,
    PROGRESS_COMMENT_MAX_INTERVAL: `${Math.round(60_000 / SCALE)}ms`,
    GITHUB_WRITE_LIMITS: ours,
  });
  stack.github.enforceSecondaryLimits(stand);
  try {
    const repo = `cost-${randomUUID().slice(0, 6)}`;
    for (let number = 100; number < 110; number++) await send(stack, repo, number);
    await until('every final answer', () => [...Array(10).keys()].every((i) => finalOf(stack, repo, 100 + i) !== undefined), 40 * minute);
    const runs = readLog(log);
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      const number = 100 + i;
      const task = `gh-c${8_000_000 + number}`;
      const end = runs.find((r) => r.event === 'end' && r.task === task)?.at;
      const final = stack.github.commentWrites.find((w) => w.issue === `acme/${repo}#${number}` && w.body.includes('✅ Done'))?.at;
      if (end !== undefined && final !== undefined) delays.push(final - end);
    }
    const writes = stack.github.requests.filter((r) => r.method !== 'GET').length;
    console.log('\n(c) 10 concurrent 10-minute tasks');
    console.log(`  writes ${writes}, throttled answers ${stack.github.throttled.length}`);
    console.log(`  final answer after the agent ended: max ${(Math.max(...delays) / 1000).toFixed(1)} s, p50 ${(percentile(delays, 50) / 1000).toFixed(1)} s (${delays.length} of 10 measured)`);
    return [
      { label: '(c) throttled answers', value: stack.github.throttled.length, goal: 0 },
      { label: '(c) slowest final answer after its agent ended', value: Math.max(...delays) / 1000, goal: 10, unit: ' s' },
    ];
  } finally {
    await stack.stop();
  }
}

async function spawnLatency(): Promise<Goal[]> {
  const log = tempLog();
  const stack = await startBenchStack({ ...agentEnv(0.2, log), AGENT_MAX_CONCURRENT: '16', GITHUB_CHECK_RUNS: 'false' });
  try {
    const repo = `cost-${randomUUID().slice(0, 6)}`;
    const sent = new Map<string, number>();
    // Warm-up: the first task of a fresh worker pays for bundles and connections.
    await send(stack, repo, 200);
    await until('the warm-up answer', () => finalOf(stack, repo, 200) !== undefined, 60_000);
    const count = 50;
    const sends: Promise<void>[] = [];
    const epoch = Date.now();
    for (let i = 0; i < count; i++) {
      const number = 300 + i;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, epoch + i * 200 - Date.now())));
      sends.push(send(stack, repo, number).then((at) => void sent.set(`gh-c${8_000_000 + number}`, at)));
    }
    await Promise.all(sends);
    await until('every agent started', () => readLog(log).filter((r) => r.event === 'start' && sent.has(r.task)).length === count, 120_000);
    const latencies = readLog(log).filter((r) => r.event === 'start' && sent.has(r.task)).map((r) => r.at - sent.get(r.task)!);
    console.log('\n(d) 50 webhooks at 5/s, each on its own PR');
    console.log(`  webhook → agent process spawned: p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${Math.max(...latencies)} ms`);
    return [{ label: '(d) p95 webhook → agent spawned', value: percentile(latencies, 95) / 1000, goal: 1, unit: ' s' }];
  } finally {
    await stack.stop();
  }
}

interface AgentRecord {
  task: string;
  event: 'start' | 'end';
  at: number;
}

function tempLog(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-cost-')), 'agents.jsonl');
  fs.writeFileSync(file, '');
  return file;
}

function readLog(file: string): AgentRecord[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as AgentRecord);
}

function count(events: temporal.api.history.v1.IHistoryEvent[] | null | undefined, type: temporal.api.enums.v1.EventType): number {
  return (events ?? []).filter((event) => event.eventType === type).length;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
