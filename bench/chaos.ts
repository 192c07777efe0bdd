/**
 * `npm run chaos`: N tasks (CHAOS_TASKS, 20) through the stack `npm run dev` runs (the Temporal dev
 * server on its SQLite file, a worker process, a gateway process), first with no faults (the baseline),
 * then while it
 *   (a) SIGKILLs the worker at random moments (CHAOS_WORKER_KILLS, 3) and starts a new one,
 *   (b) stops and restarts the Temporal dev server on the same database mid-run,
 *   (c) has the GitHub stand-in answer 30% of writes with 502 or 429 + Retry-After, and once hold the
 *       answer of a write that landed longer than the client waits (PROVIDER_REQUEST_TIMEOUT),
 *   (d) redelivers 30% of webhooks, half of them at the same moment as the first delivery.
 * The stand-in agent (bench/chaos-agent.js) works CHAOS_AGENT_SECONDS (3), at most CHAOS_MAX_CONCURRENT (4)
 * at once, and logs its start and end.
 * Prints, per phase: tasks completed, lost, duplicated result comments, overlapping agent runs, agent
 * re-runs, orphaned processes, webhooks refused, and p50/p95 from webhook to result.
 * Goal (issue 7): 0 lost, 0 duplicated, 0 orphaned. CHAOS_PHASES=baseline runs the baseline only;
 * CHAOS_DEBUG_WRITES=<file> writes every request the GitHub stand-in got (ms since the phase began, method, path).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commentPayload, sendGithubDelivery } from '../test/support/webhooks';
import { BENCH_SECRET, startBenchStack } from './stack';

const TASKS = Number(process.env['CHAOS_TASKS'] ?? 20);
const AGENT_SECONDS = Number(process.env['CHAOS_AGENT_SECONDS'] ?? 3);
const KILLS = Number(process.env['CHAOS_WORKER_KILLS'] ?? 3);
const SEND_EVERY_MS = Number(process.env['CHAOS_SEND_EVERY_MS'] ?? 400);
const DEADLINE_MS = Number(process.env['CHAOS_DEADLINE_MS'] ?? 8 * 60_000);

interface AgentRecord {
  task: string;
  pid: number;
  event: 'start' | 'end';
  at: number;
}

interface PhaseResult {
  name: string;
  sent: number;
  completed: number;
  lost: string[];
  duplicatedResults: string[];
  overlappingRuns: string[];
  reruns: number;
  orphans: number[];
  /** Processes that died on their own (not killed by the bench), with their last log lines. */
  unexpectedExits: string[];
  refused: number;
  redelivered: number;
  latencies: number[];
  /** Per task: webhook → its (last) agent start, and its agent's end → the result comment (ms). */
  toAgentStart: number[];
  agentEndToResult: number[];
  /** Writes the GitHub stand-in received (any method but GET), and the most in any 60 s. */
  githubWrites: number;
  busiestMinuteWrites: number;
  seconds: number;
}

async function main(): Promise<void> {
  console.log(`chaos: ${TASKS} tasks, agent ${AGENT_SECONDS} s, ${KILLS} worker kills, one Temporal restart, 30% faulty writes, 30% redeliveries`);
  const baseline = await runPhase(false);
  if (process.env['CHAOS_PHASES'] === 'baseline') {
    report([baseline]);
    return;
  }
  const chaos = await runPhase(true);
  report([baseline, chaos]);
  const ok = chaos.lost.length === 0 && chaos.duplicatedResults.length === 0 && chaos.overlappingRuns.length === 0 && chaos.orphans.length === 0;
  console.log(ok ? 'GOAL MET: 0 lost, 0 duplicated, 0 orphaned' : 'GOAL NOT MET');
  process.exitCode = ok ? 0 : 1;
}

async function runPhase(faults: boolean): Promise<PhaseResult> {
  const started = Date.now();
  const agentLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-chaos-')), 'agents.jsonl');
  fs.writeFileSync(agentLog, '');
  const stack = await startBenchStack({
    AGENT_COMMAND: process.execPath,
    AGENT_ARGS: JSON.stringify([path.join(__dirname, 'chaos-agent.js')]),
    AGENT_ENV_PASSTHROUGH: 'CHAOS_AGENT_LOG,CHAOS_AGENT_SECONDS',
    CHAOS_AGENT_LOG: agentLog,
    CHAOS_AGENT_SECONDS: String(AGENT_SECONDS),
    AGENT_MAX_CONCURRENT: process.env['CHAOS_MAX_CONCURRENT'] ?? '4',
    // The write budget (72/1m by default, under GitHub's 80 content-creating writes a minute) is what
    // paces results when many tasks end at once; set GITHUB_WRITE_LIMITS to see the run without it.
    ...(process.env['GITHUB_WRITE_LIMITS'] === undefined ? {} : { GITHUB_WRITE_LIMITS: process.env['GITHUB_WRITE_LIMITS'] }),
    AGENT_KILL_GRACE: '2s',
    PROGRESS_COMMENT_INTERVAL: '2s',
    PROVIDER_REQUEST_TIMEOUT: '4s',
  });
  const { github, gatewayUrl } = stack;
  if (faults) github.chaos({ faultRate: 0.3, hangOnceAfterWriteMs: 8_000 });

  const repo = `chaos-${randomUUID().slice(0, 6)}`;
  const sentAt = new Map<number, number>();
  const acked = new Set<number>();
  let refused = 0;
  let redelivered = 0;
  const deliveries: Promise<void>[] = [];
  const deliver = async (number: number, deliveryId: string): Promise<void> => {
    const payload = commentPayload({ body: `@agent chaos task ${number}`, number, repo, commentId: 5_000_000 + number });
    for (let attempt = 0; attempt < 20; attempt++) {
      const answer = await sendGithubDelivery(gatewayUrl, { event: 'issue_comment', payload, deliveryId, secret: BENCH_SECRET }).catch(() => ({ status: 0 }));
      if (answer.status >= 200 && answer.status < 300) {
        acked.add(number);
        return;
      }
      // GitHub never retries by itself: an operator (or a redelivery job) redelivers a failed delivery.
      refused++;
      await delay(2_000);
    }
  };

  // Worker kills and the Temporal restart happen while the tasks arrive and run.
  const sendSpanMs = TASKS * SEND_EVERY_MS;
  const kills = faults ? Array.from({ length: KILLS }, (_, i) => 1_500 + ((i + 0.5) / KILLS) * (sendSpanMs + AGENT_SECONDS * 2_000) + Math.random() * 1_000) : [];
  const restartAt = faults ? sendSpanMs * 0.5 : undefined;
  const orphans: number[] = [];
  const chaosDone = (async () => {
    const events = [...kills.map((at) => ({ at, kind: 'kill' as const })), ...(restartAt === undefined ? [] : [{ at: restartAt, kind: 'restart' as const }])].sort((a, b) => a.at - b.at);
    for (const event of events) {
      await delay(Math.max(0, started + event.at - Date.now()));
      if (event.kind === 'kill') {
        // A kill proves most while agents run: wait (a few seconds at most) for one.
        const until = Date.now() + 10_000;
        while (runningAgents(agentLog).length === 0 && Date.now() < until) await delay(100);
        const running = runningAgents(agentLog);
        await stack.killWorker();
        // The agents of the killed worker must die with it (its supervisors hold their process groups).
        const survivors = await survivorsAfter(running, 2_000 + 5_000);
        orphans.push(...survivors);
        console.log(`  killed the worker (${running.length} agents running${survivors.length > 0 ? `, ${survivors.length} survived` : ''}), started another`);
      } else {
        await stack.restartServer();
        console.log('  restarted the Temporal dev server on the same database');
      }
    }
  })();

  for (let i = 0; i < TASKS; i++) {
    await delay(Math.max(0, started + i * SEND_EVERY_MS - Date.now()));
    const number = 100 + i;
    const deliveryId = randomUUID();
    sentAt.set(number, Date.now());
    deliveries.push(deliver(number, deliveryId));
    if (faults && Math.random() < 0.3) {
      redelivered++;
      // Half at the same moment (two hooks on one repository), half later (a manual redelivery).
      const same = Math.random() < 0.5;
      deliveries.push((same ? Promise.resolve() : delay(Math.random() * 5_000)).then(() => deliver(number, same ? randomUUID() : deliveryId)));
    }
  }
  await Promise.all(deliveries);
  await chaosDone;

  const numbers = [...sentAt.keys()];
  const finalOf = (number: number) => github.commentsOn('acme', repo, number).filter((c) => c.body.includes('agent-bot:task=') && !c.body.includes('**⏳ Working**'));
  await waitUntil(() => numbers.every((n) => finalOf(n).length > 0), DEADLINE_MS, 'every result').catch(() => undefined);
  // A moment for any duplicate still on its way to show up.
  await delay(3_000);

  const latencies: number[] = [];
  const lost: string[] = [];
  const duplicatedResults: string[] = [];
  for (const number of numbers) {
    const comments = github.commentsOn('acme', repo, number).filter((c) => c.body.includes('agent-bot:task='));
    const finals = comments.filter((c) => !c.body.includes('**⏳ Working**'));
    if (finals.length === 0) lost.push(`#${number}${acked.has(number) ? '' : ' (never acknowledged)'}`);
    if (comments.length > 1) {
      const writes = github.commentWrites.filter((write) => comments.some((c) => c.id === write.id));
      const first = (id: number) => writes.find((write) => write.id === id);
      duplicatedResults.push(`#${number}: ${comments.length} task comments (${comments.map((c) => `${c.id} created ${((first(c.id)?.at ?? 0) - started) / 1000}s: ${first(c.id)?.body.split('\n')[1]?.slice(0, 40) ?? '?'}`).join(', ')})`);
    }
    const firstFinal = github.commentWrites.find((write) => write.issue === `acme/${repo}#${number}` && write.body.includes('✅ Done'));
    if (firstFinal !== undefined) latencies.push(firstFinal.at - sentAt.get(number)!);
  }
  const runs = agentRuns(agentLog);
  const toAgentStart: number[] = [];
  const agentEndToResult: number[] = [];
  for (const number of numbers) {
    const write = github.commentWrites.find((w) => w.issue === `acme/${repo}#${number}` && w.body.includes('✅ Done'));
    const task = write?.body.match(/agent-bot:task=([^ ]+) -->/)?.[1];
    const last = task === undefined ? undefined : runs.get(task)?.at(-1);
    if (write === undefined || last === undefined) continue;
    toAgentStart.push(last.start - sentAt.get(number)!);
    if (Number.isFinite(last.end)) agentEndToResult.push(write.at - last.end);
  }
  const writeTimes = github.requests.filter((request) => request.method !== 'GET').map((request) => request.at);
  if (process.env['CHAOS_DEBUG_WRITES']) fs.writeFileSync(process.env['CHAOS_DEBUG_WRITES'], github.requests.map((r) => `${r.at - started} ${r.method} ${r.path}`).join('\n'));
  const busiestMinuteWrites = Math.max(0, ...writeTimes.map((at) => writeTimes.filter((other) => other >= at && other < at + 60_000).length));
  const overlappingRuns = [...runs.entries()].filter(([, list]) => overlaps(list)).map(([task]) => task);
  const reruns = [...runs.values()].reduce((sum, list) => sum + Math.max(0, list.length - 1), 0);
  const leftover = [...new Set(readAgentLog(agentLog).map((record) => record.pid))].filter(isAlive);
  orphans.push(...leftover.filter((pid) => !orphans.includes(pid)));

  const unexpectedExits = [...stack.unexpectedExits];
  await stack.stop();
  fs.rmSync(path.dirname(agentLog), { recursive: true, force: true });
  return {
    name: faults ? 'with faults' : 'baseline (no faults)',
    sent: numbers.length,
    completed: numbers.length - lost.length,
    lost,
    duplicatedResults,
    overlappingRuns,
    reruns,
    orphans,
    unexpectedExits,
    refused,
    redelivered,
    latencies,
    toAgentStart,
    agentEndToResult,
    githubWrites: writeTimes.length,
    busiestMinuteWrites,
    seconds: (Date.now() - started) / 1000,
  };
}

function readAgentLog(file: string): AgentRecord[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as AgentRecord);
}

/** Agents that started and have not ended, as the log says. */
function runningAgents(file: string): number[] {
  const records = readAgentLog(file);
  const ended = new Set(records.filter((r) => r.event === 'end').map((r) => r.pid));
  return records.filter((r) => r.event === 'start' && !ended.has(r.pid)).map((r) => r.pid).filter(isAlive);
}

/** The pids still alive after `withinMs`, watched every 100 ms: a killed worker's agents must be gone by then. */
async function survivorsAfter(pids: number[], withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(100);
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Each task's agent runs: start, and end (or, for a killed one, the last time it was seen alive: now). */
function agentRuns(file: string): Map<string, { pid: number; start: number; end: number }[]> {
  const runs = new Map<string, { pid: number; start: number; end: number }[]>();
  const records = readAgentLog(file);
  for (const start of records.filter((r) => r.event === 'start')) {
    const end = records.find((r) => r.event === 'end' && r.pid === start.pid)?.at ?? killedAt(records, start);
    runs.set(start.task, [...(runs.get(start.task) ?? []), { pid: start.pid, start: start.at, end }]);
  }
  return runs;
}

/** A run with no end was killed with its worker: it can have lived at most until the next run of its task started, else we say it overlapped. */
function killedAt(records: AgentRecord[], start: AgentRecord): number {
  const next = records.find((r) => r.event === 'start' && r.task === start.task && r.at > start.at);
  return next === undefined ? start.at : isAlive(start.pid) ? Number.POSITIVE_INFINITY : next.at - 1;
}

function overlaps(list: { start: number; end: number }[]): boolean {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  return sorted.some((run, i) => i > 0 && run.start < sorted[i - 1]!.end);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
  } catch {
    return false;
  }
}

function report(phases: PhaseResult[]): void {
  for (const phase of phases) {
    const pct = (p: number, values = phase.latencies) => {
      const sorted = [...values].sort((a, b) => a - b);
      return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! / 1000;
    };
    console.log(`\n${phase.name} (${phase.seconds.toFixed(0)} s)`);
    console.log(`  tasks sent ${phase.sent}, completed ${phase.completed}, lost ${phase.lost.length}${phase.lost.length > 0 ? ` (${phase.lost.join(', ')})` : ''}`);
    console.log(`  duplicated result comments ${phase.duplicatedResults.length}${phase.duplicatedResults.length > 0 ? ` (${phase.duplicatedResults.join('; ')})` : ''}`);
    console.log(`  overlapping agent runs ${phase.overlappingRuns.length}, agent re-runs after a kill ${phase.reruns}, orphaned processes ${phase.orphans.length}`);
    console.log(`  webhooks redelivered ${phase.redelivered}, refused and sent again ${phase.refused}`);
    for (const exit of phase.unexpectedExits) console.log(`  unexpected: ${exit}`);
    console.log(`  webhook → result: p50 ${pct(50).toFixed(1)} s, p95 ${pct(95).toFixed(1)} s`);
    console.log(`    webhook → agent start: p50 ${pct(50, phase.toAgentStart).toFixed(1)} s, p95 ${pct(95, phase.toAgentStart).toFixed(1)} s`);
    console.log(`    agent end → result: p50 ${pct(50, phase.agentEndToResult).toFixed(1)} s, p95 ${pct(95, phase.agentEndToResult).toFixed(1)} s`);
    console.log(`  GitHub writes ${phase.githubWrites}, at most ${phase.busiestMinuteWrites} in any minute`);
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await delay(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
