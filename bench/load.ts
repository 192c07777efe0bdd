/**
 * One open-loop load generator of `npm run bench:ack`: either signed webhooks to the gateway, or the very
 * same `signalWithStart` the gateway makes, sent from a plain client. Run by bench/ack.ts, in a child
 * process of its own (so neither load's timings include the other's work) or in-process for comparison.
 */
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/load';
import { createTemporalDispatcher } from '../gateway/dispatcher';
import { routeGithubEvent } from '../integrations/github/route-event';
import { signGithubPayload } from '../integrations/github/webhook-signature';
import { commentPayload } from '../test/support/webhooks';
import { githubRoutingPolicy } from '../workers/gateway-routers';

export interface LoadPlan {
  kind: 'gateway' | 'bare';
  /**
   * What the bare client sends. `redeliver`: the delivery the gateway got half a round earlier, to the
   * same PR. The server does the same work for the call as for the original, and the workflow drops it
   * as a duplicate, so the stack runs 50 commands/s at 50 webhooks/s. `own`: fresh commands to PRs of
   * its own, which doubles the work the stack is asked to do.
   */
  bare: 'redeliver' | 'own';
  /** Date.now() at which send 0 is due, shared by both generators. */
  epoch: number;
  rate: number;
  total: number;
  /** Sends before this index are not measured. */
  warmup: number;
  targets: number;
  run: string;
  /** The stack's environment: the bare client routes deliveries with the gateway's own config. */
  stackEnv: Record<string, string>;
  gatewayUrl: string;
  temporalAddress: string;
}

export interface LoadResult {
  kind: LoadPlan['kind'];
  latencies: number[];
  /** How far behind schedule sends went out: an overloaded generator would understate latency. */
  maxSendLagMs: number;
  lateSends: number;
}

/** A webhook's identity: deterministic, so either process can rebuild the delivery of send `i`. */
interface Delivery {
  deliveryId: string;
  repo: string;
  number: number;
  body: string;
}

function delivery(plan: LoadPlan, i: number, repoSuffix = ''): Delivery {
  const number = (i % plan.targets) + 1;
  const repo = `bench-${plan.run}${repoSuffix}`;
  // GitHub's delivery ids are GUIDs; this one encodes the send index.
  const deliveryId = `${plan.run}-0000-4000-8000-${String(i).padStart(12, '0')}${repoSuffix}`;
  const mention = plan.stackEnv['AGENT_BOT_MENTION'] ?? '@agent';
  return { deliveryId, repo, number, body: JSON.stringify(commentPayload({ body: `${mention} review the bench`, repo, number })) };
}

type Sender = (i: number) => Promise<number> | undefined;

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const send = plan.kind === 'gateway' ? gatewaySender(plan) : await bareSender(plan);
  return openLoop(plan, send);
}

/** Sends `total` requests at `rate`/s from `epoch`, never waiting for an answer before the next send. */
async function openLoop(plan: LoadPlan, send: Sender): Promise<LoadResult> {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  let maxSendLagMs = 0;
  let lateSends = 0;
  for (let i = 0; i < plan.total; i++) {
    const due = plan.epoch + (i * 1000) / plan.rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const lag = Date.now() - due;
    if (i >= plan.warmup) {
      maxSendLagMs = Math.max(maxSendLagMs, lag);
      if (lag > 5) lateSends++;
    }
    const sent = send(i);
    if (sent !== undefined && i >= plan.warmup) pending.push(sent.then((ms) => void latencies.push(ms)));
    else if (sent !== undefined) pending.push(sent.then(() => undefined));
  }
  await Promise.all(pending);
  return { kind: plan.kind, latencies, maxSendLagMs, lateSends };
}

function gatewaySender(plan: LoadPlan): Sender {
  // Node's http with keep-alive, not fetch: undici's fetch spends ~0.5 ms more per request on this
  // machine, which is the client's cost, not the gateway's (GitHub's sender is no Node process either).
  const agent = new http.Agent({ keepAlive: true });
  const secret = plan.stackEnv['GITHUB_WEBHOOK_SECRET'] ?? '';
  return (i) => postWebhook(`${plan.gatewayUrl}/webhooks/github`, agent, secret, delivery(plan, i));
}

async function postWebhook(url: string, agent: http.Agent, secret: string, { deliveryId, body }: Delivery): Promise<number> {
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-github-event': 'issue_comment',
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': signGithubPayload(secret, body),
  };
  const t0 = performance.now();
  const status = await new Promise<number | undefined>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    request.once('error', reject);
    request.end(body);
  });
  const elapsed = performance.now() - t0;
  if (status !== 202) throw new Error(`gateway answered ${status}`);
  return elapsed;
}

/** The gateway's own dispatcher on a plain client: the same request, minus HTTP, signature and routing. */
async function bareSender(plan: LoadPlan): Promise<Sender> {
  const config = loadConfig({ ...process.env, ...plan.stackEnv });
  const connection = await Connection.connect({ address: plan.temporalAddress });
  const dispatcher = createTemporalDispatcher(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), config.TEMPORAL_TASK_QUEUE);
  const policy = githubRoutingPolicy(config);
  const lag = Math.floor(plan.targets / 2);
  return (i) => {
    const source = plan.bare === 'own' ? delivery(plan, i, '-bare') : i >= lag ? delivery(plan, i - lag) : undefined;
    if (source === undefined) return undefined;
    const action = routeGithubEvent('issue_comment', source.deliveryId, JSON.parse(source.body), policy);
    if (action.kind !== 'command') throw new Error(`the bench payload routed to ${action.kind}`);
    return timed(() => dispatcher.dispatchCommand(action.thread, action.command));
  };
}

async function timed(call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await call();
  return performance.now() - t0;
}

/** As a child process: get the plan, connect, say ready, wait for the start time, run, report. */
async function child(): Promise<void> {
  const plan = JSON.parse(process.env['BENCH_PLAN'] ?? '') as LoadPlan;
  const send = plan.kind === 'gateway' ? gatewaySender(plan) : await bareSender(plan);
  const epoch = await new Promise<number>((resolve) => {
    process.once('message', (message: { epoch: number }) => resolve(message.epoch));
    process.send?.({ ready: true });
  });
  const result = await openLoop({ ...plan, epoch }, send);
  // Stay alive until the parent has read our CPU time: once reaped, it would count in the parent's.
  process.once('disconnect', () => process.exit(0));
  process.send?.(result);
}

if (require.main === module) {
  child().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
