/**
 * `npm run bench:ack`: how long the gateway takes to acknowledge a signed webhook, against the stack
 * `npm run dev` starts (embedded dev server, worker, gateway), and in the same run the latency of a bare
 * `signalWithStart` from a plain client. Open loop at a steady rate: a slow answer never delays the next send.
 *
 * Settings (environment): BENCH_RATE (webhooks/s, 50), BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (3),
 * BENCH_TARGETS (PRs the commands are spread over, 20).
 * Goal (issue #2): gateway p50 - bare p50 <= 2 ms, and gateway p99 < 50 ms at 50/s.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { commandSignal } from '../contracts/messages';
import { AgentTarget } from '../contracts/search-attributes';
import { signGithubPayload } from '../integrations/github/webhook-signature';
import { freePort } from '../test/support/temporal';
import { commentPayload } from '../test/support/webhooks';

const RATE = Number(process.env['BENCH_RATE'] ?? 50);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 3);
/** Commands spread over this many PRs, as on a busy repository: each PR runs its commands in turn. */
const TARGETS = Number(process.env['BENCH_TARGETS'] ?? 20);
const SECRET = 'bench-secret';
const ROOT = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const githubStandIn = await startAcceptAllServer();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-bench-'));
  const [gatewayPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const stack = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'dev.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      AGENT_BOT_DATA_DIR: dataDir,
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_API_URL: githubStandIn.url,
      AGENT_KIND: 'command',
      AGENT_COMMAND: 'true',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  stack.stderr?.resume();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const connection = await waitForStack(gatewayUrl, `127.0.0.1:${temporalPort}`);
  const client = new Client({ connection });
  const run = randomUUID().slice(0, 8);

  const gatewayLatencies: number[] = [];
  const bareLatencies: number[] = [];
  const total = Math.round((SECONDS + WARMUP_SECONDS) * RATE);
  const warmup = Math.round(WARMUP_SECONDS * RATE);
  const pending: Promise<void>[] = [];
  const started = performance.now();
  console.log(`bench:ack ${RATE}/s for ${SECONDS}s (+${WARMUP_SECONDS}s warm-up), gateway ${gatewayUrl}`);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const keep = i >= warmup;
    const number = (i % TARGETS) + 1;
    pending.push(sendWebhook(gatewayUrl, `bench-${run}`, number).then((ms) => void (keep && gatewayLatencies.push(ms))));
    pending.push(bareSignalWithStart(client, `bench-${run}-bare`, number).then((ms) => void (keep && bareLatencies.push(ms))));
  }
  await Promise.all(pending);

  const gateway = summarize(gatewayLatencies);
  const bare = summarize(bareLatencies);
  console.log(`gateway ack          p50 ${gateway.p50.toFixed(2)} ms  p95 ${gateway.p95.toFixed(2)} ms  p99 ${gateway.p99.toFixed(2)} ms  (n=${gateway.n})`);
  console.log(`bare signalWithStart p50 ${bare.p50.toFixed(2)} ms  p95 ${bare.p95.toFixed(2)} ms  p99 ${bare.p99.toFixed(2)} ms  (n=${bare.n})`);
  console.log(`gateway overhead at p50: ${(gateway.p50 - bare.p50).toFixed(2)} ms (goal <= 2 ms); gateway p99 ${gateway.p99 < 50 ? 'meets' : 'MISSES'} the 50 ms goal`);

  await connection.close();
  stack.kill('SIGINT');
  await new Promise((resolve) => stack.once('exit', resolve));
  githubStandIn.server.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

async function sendWebhook(gatewayUrl: string, repo: string, number: number): Promise<number> {
  const body = JSON.stringify(commentPayload({ body: '@agent bench', repo, number }));
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'issue_comment',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': signGithubPayload(SECRET, body),
  };
  const t0 = performance.now();
  const response = await fetch(`${gatewayUrl}/webhooks/github`, { method: 'POST', headers, body });
  await response.arrayBuffer();
  const elapsed = performance.now() - t0;
  if (response.status !== 202) throw new Error(`gateway answered ${response.status}`);
  return elapsed;
}

async function bareSignalWithStart(client: Client, repo: string, number: number): Promise<number> {
  const deliveryId = randomUUID();
  const target = { provider: 'github' as const, owner: 'acme', repo, number, kind: 'pull_request' as const };
  const t0 = performance.now();
  await client.workflow.signalWithStart('targetWorkflow', {
    workflowId: `github:acme/${repo}#${number}`,
    taskQueue: 'agent-bot',
    args: [{ target }],
    signal: commandSignal,
    signalArgs: [{ taskId: `gh-${deliveryId}`, deliveryId, request: 'bench', requester: 'octocat', commentId: number, url: '', receivedAt: new Date().toISOString() }],
    typedSearchAttributes: [{ key: AgentTarget, value: `acme/${repo}#${number}` }],
  });
  return performance.now() - t0;
}

function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

async function waitForStack(gatewayUrl: string, address: string): Promise<Connection> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${gatewayUrl}/health/ready`);
      if (response.status === 200) return await Connection.connect({ address });
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the npm run dev stack did not come up within 3 minutes');
}

/** Answers every GitHub call with 201 at once, so the worker's posts cost nothing and fail nothing. */
async function startAcceptAllServer(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 1, html_url: 'http://127.0.0.1/comment' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
