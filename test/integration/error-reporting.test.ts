import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/load';
import { Transports, type ThreadTransport } from '../../integrations/transport';
import { initErrorReporting, type ErrorReporter } from '../../workers/error-reporting';
import { startGateway } from '../../workers/gateway-server';
import { createProviderKit } from '../../workers/transports';
import { Harness } from '../support/harness';
import { SentryStandIn } from '../support/sentry-stand-in';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const ROOT = path.join(__dirname, '..', '..');

/** Every secret the processes under test are configured with: none may reach the ingest endpoint. */
const SECRETS = {
  AGENT_BOT_API_TOKEN: 'sentry-test-api-token-5f1c9a',
  GITHUB_TOKEN: 'ghs_TestInstallationToken0000000000001',
  GITHUB_WEBHOOK_SECRET: 'webhook-secret-for-the-sentry-test',
};

/** No configured secret in any byte the SDK sent (envelopes as received, un-gzipped). */
function assertNoSecret(sentry: SentryStandIn): void {
  assert.ok(sentry.requests.length > 0, 'something was sent');
  for (const request of sentry.requests) {
    const raw = request.rawBody.toString('utf8');
    for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!raw.includes(secret), `${name} reached Sentry`);
  }
}

describe("agent-bot's own errors in Sentry (stand-in ingest, real @sentry/node envelopes)", function () {
  this.timeout(120_000);
  let sentry: SentryStandIn;
  let reporter: ErrorReporter | undefined;

  beforeEach(async () => {
    sentry = await new SentryStandIn().start();
  });
  afterEach(async () => {
    await reporter?.close();
    reporter = undefined;
    await sentry.stop();
  });

  it('a gateway 5xx (Temporal refuses the dispatch) reaches the ingest once, with its route and no secret; 4xx answers do not', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-sentry-'));
    // A namespace that does not exist: Temporal answers NOT_FOUND at once, and the gateway has no answer but a 500.
    const config = loadConfig({ TEMPORAL_ADDRESS: testTemporal().address, TEMPORAL_NAMESPACE: `missing-${randomUUID()}`, GATEWAY_HOST: '127.0.0.1', SENTRY_DSN: sentry.dsn('2'), SENTRY_ENVIRONMENT: 'test', AGENT_BOT_DATA_DIR: dataDir, ...SECRETS }, dataDir);
    reporter = initErrorReporting(config, { component: 'gateway', env: {} });
    const gateway = await startGateway({ config, connection: testTemporal().connection, log: () => {}, port: 0, reporter });
    try {
      const post = (body: unknown, token = SECRETS.AGENT_BOT_API_TOKEN) =>
        fetch(`${gateway.url}/api/tasks?token=${SECRETS.GITHUB_TOKEN}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${SECRETS.GITHUB_WEBHOOK_SECRET}` }, body: JSON.stringify(body) });
      assert.equal((await post({ repo: 'acme/widgets' })).status, 400);
      assert.equal((await post({ repo: 'acme/widgets', request: 'explain' }, 'wrong')).status, 401);
      const failed = await post({ repo: 'acme/widgets', request: 'explain the cache' });
      assert.equal(failed.status, 500);
      assert.deepEqual(await failed.json(), { error: 'internal error' });

      assert.equal(await reporter.flush(5_000), true);
      const event = await waitFor('the event at the ingest stand-in', () => sentry.events[0]);
      assert.equal(sentry.events.length, 1, 'one event: the 400 and the 401 are answers, not errors');
      assert.equal(event.projectId, '2');
      assert.equal(event.environment, 'test');
      assert.match(event.release ?? '', /^agent-bot@/);
      assert.deepEqual(
        { component: event.tags?.['component'], route: event.tags?.['route'], method: event.tags?.['method'], status: event.tags?.['status'] },
        { component: 'gateway', route: '/api/tasks', method: 'POST', status: '500' },
      );
      assert.match(JSON.stringify(event.exception), /namespace/i, 'the error is the one Temporal answered');
      assert.equal(event.request?.url, '/api/tasks', 'the path only: no query string');
      assert.equal(event.request?.headers?.['authorization'], '[redacted]');
      assert.equal(event.request?.headers?.['x-hub-signature-256'], '[redacted]');
      assertNoSecret(sentry);
    } finally {
      await gateway.close();
    }
  });

  it('an activity failing with an unexpected error reaches the ingest once, tagged with its workflow, task and provider, with no secret', async () => {
    let failures = 0;
    const h = await Harness.start({
      agent: 'answer.js',
      env: { ...SECRETS, SENTRY_DSN: sentry.dsn('3') },
      workerOptions: (config) => {
        reporter = initErrorReporting(config, { component: 'worker', env: {} });
        const kit = createProviderKit(config);
        const api = kit.transports.for({ provider: 'api' });
        // A bug in posting the final answer, on its first two attempts; the third one works. Its message
        // carries a credential, as a URL in an error message can.
        const faulty: ThreadTransport = {
          ...api,
          show: async (task, presence, view, options) => {
            if (view.phase === 'final' && failures < 2) {
              failures++;
              throw new TypeError(`Cannot read properties of undefined (reading 'status') after POST https://agent:${config.GITHUB_TOKEN}@hooks.example.com/agent`);
            }
            return api.show(task, presence, view, options);
          },
        };
        return { reporter, providers: { ...kit, transports: new Transports([kit.transports.for({ provider: 'github' }), faulty]) } };
      },
    });
    try {
      const response = await fetch(`${h.gateway.url}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${SECRETS.AGENT_BOT_API_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ repo: 'acme/widgets', request: 'explain the cache' }) });
      assert.equal(response.status, 202);
      const accepted = (await response.json()) as { task_id: string; workflow_id: string };
      // The task ends once the third attempt has posted its answer: both failed attempts happened by then.
      await waitFor('the task to end', async () => (await testTemporal().client.workflow.getHandle(accepted.workflow_id).describe()).status.name === 'COMPLETED', 60_000);
      assert.equal(failures, 2);

      assert.equal(await reporter!.flush(5_000), true);
      const event = await waitFor('the event at the ingest stand-in', () => sentry.events[0]);
      assert.equal(sentry.events.length, 1, 'the first failed attempt is reported, the retry that failed the same way is not');
      assert.deepEqual(
        { component: event.tags?.['component'], workflow_id: event.tags?.['workflow_id'], task_id: event.tags?.['task_id'], provider: event.tags?.['provider'], activity: event.tags?.['activity'], attempt: event.tags?.['attempt'] },
        { component: 'worker', workflow_id: accepted.workflow_id, task_id: accepted.task_id, provider: 'api', activity: 'finishTask', attempt: '1' },
      );
      const [exception] = event.exception!.values;
      assert.equal(exception!.type, 'TypeError');
      assert.match(exception!.value, /^Cannot read properties of undefined \(reading 'status'\) after POST https:\/\/agent:\[redacted\]@hooks\.example\.com\/agent$/);
      assertNoSecret(sentry);
    } finally {
      await h.stop();
    }
  });

  it('a crash at start (the gateway port is taken) reaches the ingest once before the process exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-sentry-'));
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'workers', 'gateway.ts')], {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', GATEWAY_HOST: '127.0.0.1', GATEWAY_PORT: String(port), TEMPORAL_ADDRESS: testTemporal().address, AGENT_BOT_DATA_DIR: dataDir, SENTRY_DSN: sentry.dsn('4'), ...SECRETS },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      assert.equal(code, 1, stderr);
      // The process flushed before exiting: the event is there already.
      assert.equal(sentry.events.length, 1);
      const event = sentry.events[0]!;
      assert.deepEqual({ component: event.tags?.['component'], phase: event.tags?.['phase'] }, { component: 'gateway', phase: 'fatal' });
      assert.match(event.exception!.values[0]!.value, /EADDRINUSE/);
      assertNoSecret(sentry);
    } finally {
      blocker.close();
    }
  });
});
