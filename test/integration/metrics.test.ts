import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/load';
import { startGateway } from '../../workers/gateway-server';
import { AGENTS_DIR, Harness } from '../support/harness';
import { sampleValue, scrape, type Sample } from '../support/prometheus';
import { freePort, testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';
import { commentPayload, githubFixture, sendGithubDelivery, TEST_WEBHOOK_SECRET } from '../support/webhooks';

const ROOT = path.resolve(__dirname, '..', '..');

/** No label value may carry an id: task, delivery, comment, thread or repository. */
function assertBoundedLabels(samples: readonly Sample[], ids: readonly string[]): void {
  for (const sample of samples) {
    for (const [label, value] of Object.entries(sample.labels)) {
      for (const id of ids) assert.ok(!value.includes(id), `${sample.name}{${label}="${value}"} carries ${id}`);
    }
  }
}

/** `node --import tsx workers/worker.ts` with the harness's settings: the worker as production starts it. */
function startWorkerProcess(env: Record<string, string>): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'worker.ts')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exited };
}

describe('metrics and logs: /metrics scraped on a real gateway and a real worker process', function () {
  this.timeout(120_000);
  let h: Harness;
  let worker: ReturnType<typeof startWorkerProcess>;
  let metricsUrl: string;
  let taskId: string;
  let deliveryId: string;

  before(async () => {
    // The fake Claude CLI reports a cost (0.01 USD) and tokens (10 in, 5 out) in its result line.
    h = await Harness.start({ startWorker: false, env: { AGENT_KIND: 'claude', AGENT_COMMAND: path.join(AGENTS_DIR, 'fake-claude.js'), AGENT_ARGS: '[]' } });
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    worker = startWorkerProcess({ ...h.processEnv(), METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'debug' });
    await waitFor('the worker\'s metrics port', () => fetch(`${metricsUrl}/health`).then((response) => response.ok), 60_000).catch((error: unknown) => {
      process.stderr.write(worker.stderr());
      throw error;
    });
    const accepted = await h.comment('@agent explain the cache', { number: 51 });
    assert.equal(accepted.status, 202);
    taskId = String(accepted.body['task_id']);
    deliveryId = accepted.deliveryId;
    await waitFor('the final comment', () => h.commentsOn(51)[0], 90_000).catch((error: unknown) => {
      process.stderr.write(worker.stderr());
      throw error;
    });
  });
  after(async () => {
    if (worker.child.exitCode === null) {
      worker.child.kill('SIGTERM');
      const killer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
      await worker.exited;
      clearTimeout(killer);
    }
    await h.stop();
  });

  it('the gateway counts the webhook by provider and outcome, with its ack latency, and no id in a label', async () => {
    const unsigned = await sendGithubDelivery(h.gateway.url, { event: 'issue_comment', payload: commentPayload({ body: '@agent hi', repo: h.repo }), secret: 'not-the-secret' });
    assert.equal(unsigned.status, 401);
    assert.equal((await sendGithubDelivery(h.gateway.url, { event: 'ping', payload: githubFixture('ping') })).status, 200);
    assert.equal((await sendGithubDelivery(h.gateway.url, { event: 'issue_comment', payload: undefined, rawBody: '{"action":' })).status, 400);
    // No route: its path is the sender's, and must not become a label.
    assert.equal((await fetch(`${h.gateway.url}/webhooks/${randomUUID()}`, { method: 'POST' })).status, 404);

    const samples = await scrape(`${h.gateway.url}/metrics`);
    const webhooks = (outcome: string) => sampleValue(samples, 'agent_bot_webhooks_total', { provider: 'github', outcome });
    assert.deepEqual([webhooks('accepted'), webhooks('unauthorized'), webhooks('ignored'), webhooks('invalid')], [1, 1, 1, 1]);
    assert.equal(sampleValue(samples, 'agent_bot_webhook_ack_seconds_count', { provider: 'github', outcome: 'accepted' }), 1);
    assert.equal(sampleValue(samples, 'agent_bot_webhook_ack_seconds_bucket', { provider: 'github', outcome: 'accepted', le: '+Inf' }), 1);
    assert.ok(samples.every((sample) => sample.labels['provider'] === undefined || sample.labels['provider'] === 'github'), 'only the routed provider');
    assertBoundedLabels(samples, [taskId, deliveryId, h.repo, '#51']);
  });

  it('the worker counts the task, the agent run (time, queue wait, cost, tokens) and the provider calls, next to the Temporal SDK\'s own metrics', async () => {
    // The final comment is posted inside finishTask; the task is counted once that activity has it.
    const samples = await waitFor('the task counted on the worker', async () => {
      const scraped = await scrape(`${metricsUrl}/metrics`);
      return sampleValue(scraped, 'agent_bot_tasks_total', { provider: 'github', outcome: 'succeeded' }) === 1 ? scraped : undefined;
    });
    const agent = { provider: 'github', agent: 'claude' };
    assert.equal(sampleValue(samples, 'agent_bot_agent_run_seconds_count', { ...agent, outcome: 'succeeded' }), 1);
    assert.equal(sampleValue(samples, 'agent_bot_agent_queue_wait_seconds_count', agent), 1);
    assert.equal(sampleValue(samples, 'agent_bot_agent_cost_usd_total', agent), 0.01);
    assert.equal(sampleValue(samples, 'agent_bot_agent_tokens_total', { ...agent, direction: 'input' }), 10);
    assert.equal(sampleValue(samples, 'agent_bot_agent_tokens_total', { ...agent, direction: 'output' }), 5);
    const calls = (call: string) => sampleValue(samples, 'agent_bot_provider_calls_total', { provider: 'github', call, result: 'ok' }) ?? 0;
    assert.ok(calls('begin') >= 1 && calls('show') >= 1 && calls('react') >= 2, 'the check run, the final comment, 👀 then the outcome reaction');
    // The process's own metrics, and the SDK's, forwarded on the same port.
    assert.ok(sampleValue(samples, 'process_cpu_user_seconds_total') !== undefined);
    assert.equal(sampleValue(samples, 'agent_bot_temporal_sdk_metrics_up'), 1);
    const sdk = samples.filter((sample) => sample.name.startsWith('temporal_'));
    assert.ok(sdk.some((sample) => sample.name === 'temporal_activity_execution_latency_seconds_count' && sample.labels['activity_type'] === 'runAgent' && sample.value >= 1), `SDK metrics: ${[...new Set(sdk.map((sample) => sample.name))].join(', ')}`);
    assertBoundedLabels(samples, [taskId, deliveryId, h.repo, '#51']);
  });

  it('the worker logs JSON lines through pino, tagged with workflow id, task id and provider, without its secrets', async () => {
    const records = (): Record<string, unknown>[] =>
      worker
        .stderr()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          try {
            return JSON.parse(line) as Record<string, unknown>;
          } catch {
            throw new Error(`not a JSON log line: ${line}`);
          }
        });
    // The SDK holds its lines for 100 ms to put them in order: wait for the one about the agent run.
    const run = await waitFor('the SDK\'s line about the agent run, through pino', () => records().find((record) => record['component'] === 'temporal' && record['activityType'] === 'runAgent' && record['msg'] === 'Activity completed'));
    assert.equal(run['taskId'], taskId);
    assert.equal(run['provider'], 'github');
    assert.equal(run['level'], 'debug');
    assert.match(String(run['workflowId']), new RegExp(`/task/${taskId}$`));
    assert.ok(records().some((record) => record['component'] === 'worker' && record['msg'] === 'worker started' && record['metrics'] === `${metricsUrl}/metrics`));
    const text = worker.stderr();
    for (const secret of ['test-token', TEST_WEBHOOK_SECRET]) assert.ok(!text.includes(secret), `the worker's logs do not contain ${secret}`);
  });
});

describe('metrics: Temporal errors on the gateway', function () {
  this.timeout(60_000);

  it('a dispatch Temporal refuses is counted by operation and gRPC status, and the webhook as an error', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-metrics-'));
    // A namespace that does not exist: Temporal answers NOT_FOUND at once.
    const config = loadConfig({ TEMPORAL_ADDRESS: testTemporal().address, TEMPORAL_NAMESPACE: `missing-${randomUUID()}`, GATEWAY_HOST: '127.0.0.1', GITHUB_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, AGENT_BOT_DATA_DIR: dataDir }, dataDir);
    const gateway = await startGateway({ config, connection: testTemporal().connection, log: () => {}, port: 0 });
    try {
      const answer = await sendGithubDelivery(gateway.url, { event: 'issue_comment', payload: commentPayload({ body: '@agent explain', repo: `widgets-${randomUUID().slice(0, 8)}` }) });
      assert.equal(answer.status, 500);
      const samples = await scrape(`${gateway.url}/metrics`);
      assert.equal(sampleValue(samples, 'agent_bot_gateway_temporal_errors_total', { operation: 'dispatch_command', code: 'NOT_FOUND' }), 1);
      assert.equal(sampleValue(samples, 'agent_bot_webhooks_total', { provider: 'github', outcome: 'error' }), 1);
    } finally {
      await gateway.close();
    }
  });
});
