import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_COMMANDS } from '../../config/schema';
import { ErrorType } from '../../contracts/errors';
import { classifyCallbackStatus, deliverCallback, signCallback, verifyCallbackSignature, type CallbackPayload } from '../../integrations/api/callback';
import { routeApiRequest } from '../../integrations/api/route-request';
import { apiAddress, apiThread } from '../../integrations/api/thread';
import { createApiTransport } from '../../integrations/api/transport';

const policy = { mention: '@agent', commands: DEFAULT_COMMANDS, defaultCommand: 'ask' };
const now = new Date('2026-01-02T03:04:05Z');

const payload: CallbackPayload = {
  event: 'task.finished',
  task_id: 'api-1',
  workflow_id: 'api:t/task/api-1',
  thread_id: 't',
  request: 'explain',
  requester: 'api',
  outcome: 'succeeded',
  answer: '42',
  truncated: false,
  duration_ms: 10,
  usage: { cost_usd: null, input_tokens: null, output_tokens: null, turns: null },
  decision: null,
  note: null,
  run_url: 'http://ui/x',
};

describe('API threads', () => {
  describe('routeApiRequest', () => {
    it('makes an api:<uuid> thread on the body repo, and a command read like any request', () => {
      const routed = routeApiRequest({ repo: 'acme/widgets', request: 'fix the login repo:evil/repo', requester: 'ci' }, undefined, policy, now);
      assert.equal(routed.kind, 'command');
      if (routed.kind !== 'command') return;
      assert.equal(routed.thread.provider, 'api');
      assert.match(routed.thread.key, /^[0-9a-f-]{36}$/);
      assert.equal(routed.thread.repo, 'acme/widgets');
      assert.equal(routed.continues, false);
      assert.match(routed.command.taskId, /^api-[0-9a-f-]+$/);
      assert.equal(routed.command.needsApproval, true, '`fix` plans first, as on every thread');
      assert.equal(routed.command.commandName, 'fix');
      assert.equal(routed.command.repo, 'acme/widgets', 'a repo: word in the text cannot point the task elsewhere');
      assert.equal(routed.command.requester, 'ci');
      assert.equal(routed.command.receivedAt, now.toISOString());
      assert.deepEqual(apiAddress(routed.thread), { threadId: routed.thread.key });
    });

    it('derives the thread and the task from an idempotency key, so a retry is the same task', () => {
      const a = routeApiRequest({ repo: 'acme/widgets', request: 'explain' }, 'key-1', policy, now);
      const b = routeApiRequest({ repo: 'acme/widgets', request: 'explain', request_id: 'key-1' }, undefined, policy, now);
      const c = routeApiRequest({ repo: 'acme/widgets', request: 'explain' }, 'key-2', policy, now);
      assert.ok(a.kind === 'command' && b.kind === 'command' && c.kind === 'command');
      assert.equal(a.thread.key, b.thread.key);
      assert.equal(a.command.taskId, b.command.taskId);
      assert.equal(a.command.deliveryId, b.command.deliveryId);
      assert.notEqual(a.command.taskId, c.command.taskId);
      const continued = routeApiRequest({ repo: 'acme/widgets', request: 'explain', thread: 'my-thread', callback_url: 'http://10.0.0.5:8000/hook' }, 'key-1', policy, now);
      assert.ok(continued.kind === 'command');
      assert.equal(continued.thread.key, 'my-thread');
      assert.equal(continued.continues, true);
      assert.notEqual(continued.command.taskId, a.command.taskId, 'the same key on another thread is another task');
      assert.deepEqual(apiAddress(continued.thread), { threadId: 'my-thread', callbackUrl: 'http://10.0.0.5:8000/hook' });
    });

    it('refuses what it cannot run, naming the field', () => {
      const message = (body: unknown, key?: string) => {
        const routed = routeApiRequest(body, key, policy, now);
        return routed.kind === 'invalid' ? routed.message : 'accepted';
      };
      assert.equal(message(null), '(body): expected a JSON object');
      assert.match(message({ repo: 'acme/widgets', request: 'x', extra: 1, other: 2 }), /^extra, other: unknown fields$/);
      assert.match(message({ repo: 'acme/widgets', request: 'x', callback_url: 'javascript:alert(1)' }), /^callback_url: expected an http\(s\) URL$/);
      assert.match(message({ repo: 'acme/widgets', request: 'cancel all' }), /^request: the thread command `cancel_all`/);
      assert.match(message({ repo: 'acme/widgets', request: 'x' }, 'k'.repeat(201)), /^Idempotency-Key: at most 200 characters$/);
      assert.match(message({ repo: 'acme/widgets', request: 'hello' }), /^accepted$/);
      assert.match(routeApiRequest({ repo: 'acme/widgets', request: 'hello' }, undefined, { ...policy, defaultCommand: undefined }, now).kind, /^invalid$/, 'a strict command list refuses unknown words');
    });

    it('reads a thread back from history only when its address is valid', () => {
      assert.throws(() => apiAddress({ ...apiThread('t', 'a/b'), address: { threadId: 'bad id' } }), /invalid address/);
      assert.throws(() => apiAddress({ ...apiThread('t', 'a/b'), provider: 'github' }), /not an API thread/);
    });
  });

  describe('callbacks', () => {
    it('signs the raw body as sha256=<hex HMAC-SHA256(token, body)>, verified in constant time', () => {
      const body = JSON.stringify(payload);
      const signature = signCallback('token', body);
      assert.match(signature, /^sha256=[0-9a-f]{64}$/);
      assert.ok(verifyCallbackSignature('token', Buffer.from(body), signature));
      assert.ok(!verifyCallbackSignature('token', `${body} `, signature));
      assert.ok(!verifyCallbackSignature('other', body, signature));
      assert.ok(!verifyCallbackSignature('token', body, undefined));
      assert.ok(!verifyCallbackSignature('token', body, 'sha1=abc'));
    });

    it('retries network errors, timeouts, 408, 429 and 5xx; fails at once on other 4xx and redirects', () => {
      const at = (status: number, retryAfter: string | null = null) => classifyCallbackStatus(status, retryAfter, 'the callback', 0);
      for (const status of [408, 500, 502, 503]) assert.deepEqual([at(status).type, at(status).nonRetryable], [ErrorType.ProviderUnavailable, false], String(status));
      assert.equal(at(429, '3').type, ErrorType.ProviderRateLimited);
      assert.equal(at(429, '3').nonRetryable, false);
      assert.equal(at(429, '3').nextRetryDelay, 3_000);
      for (const [status, type] of [[400, ErrorType.ProviderRejected], [401, ErrorType.ProviderUnauthorized], [403, ErrorType.ProviderForbidden], [404, ErrorType.ProviderNotFound], [410, ErrorType.ProviderNotFound], [422, ErrorType.ProviderRejected], [302, ErrorType.ProviderRejected]] as const) {
        assert.deepEqual([at(status).type, at(status).nonRetryable], [type, true], String(status));
      }
      assert.match(at(302).message, /redirects are not followed/);
    });

    it('POSTs once per call (Temporal retries, not fetch), a redirect is refused, a refused connection is retryable and named by its origin only', async () => {
      const received: string[] = [];
      const server = http.createServer((req, res) => {
        received.push(`${req.method} ${req.url}`);
        res.writeHead(req.url === '/moved' ? 301 : 204, req.url === '/moved' ? { location: '/elsewhere' } : {});
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      try {
        await deliverCallback(`${base}/hook`, 'token', payload, { timeoutMs: 5_000 });
        const moved = await deliverCallback(`${base}/moved`, 'token', payload, { timeoutMs: 5_000 }).catch((error: unknown) => error);
        assert.ok(moved instanceof ApplicationFailure);
        assert.equal(moved.type, ErrorType.ProviderRejected);
        assert.deepEqual(received, ['POST /hook', 'POST /moved'], 'the redirect was not followed');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      // A port nothing listens on any more.
      const closed = http.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const closedPort = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const refused = await deliverCallback(`http://127.0.0.1:${closedPort}/hook?secret=s3cr3t`, 'token', payload, { timeoutMs: 5_000 }).catch((error: unknown) => error);
      assert.ok(refused instanceof ApplicationFailure);
      assert.equal(refused.type, ErrorType.ProviderUnavailable);
      assert.equal(refused.nonRetryable, false);
      assert.match(refused.message, /ECONNREFUSED/);
      assert.ok(!refused.message.includes('s3cr3t'), 'the URL beyond its origin stays out of messages');
    });

    it('the transport calls back only for final views, and refuses to send unsigned', async () => {
      const sent: string[] = [];
      const fakeFetch = ((url: string) => {
        sent.push(url);
        return Promise.resolve(new Response(null, { status: 200 }));
      }) as unknown as typeof fetch;
      const task = { thread: apiThread('t', 'a/b', 'http://hooks.local/x'), header: { taskId: 'api-1', request: 'r', requester: 'api', runUrl: 'u', mention: '@agent' }, taskWorkflowId: 'api:t/task/api-1', startedAt: now.toISOString() };
      const transport = createApiTransport({ token: 'token', fetch: fakeFetch });
      const working = await transport.show(task, {}, { phase: 'working', stage: 'x', elapsedMs: 1 }, { priority: 'progress' });
      assert.deepEqual(working, {});
      const final = { phase: 'final', outcome: 'succeeded', text: '42', durationMs: 5, usage: {} } as const;
      await transport.show(task, {}, final, { priority: 'urgent' });
      assert.deepEqual(sent, ['http://hooks.local/x']);
      await transport.show({ ...task, thread: apiThread('t', 'a/b') }, {}, final, { priority: 'urgent' });
      assert.equal(sent.length, 1, 'no callback_url, no call');
      const unsigned = await createApiTransport({ token: undefined, fetch: fakeFetch }).show(task, {}, final, { priority: 'urgent' }).catch((error: unknown) => error);
      assert.ok(unsigned instanceof ApplicationFailure);
      assert.equal(unsigned.type, ErrorType.ApiCallbackUnsigned);
    });
  });
});
