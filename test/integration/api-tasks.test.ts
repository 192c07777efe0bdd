import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { statusQuery } from '../../contracts/messages';
import { CALLBACK_DELIVERY_HEADER, CALLBACK_SIGNATURE_HEADER, verifyCallbackSignature, type CallbackPayload } from '../../integrations/api/callback';
import { CallbackReceiver } from '../support/callback-receiver';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const TOKEN = 'api-tasks-test-token';

interface Accepted {
  task_id: string;
  workflow_id: string;
  thread: string;
  thread_workflow_id: string;
}

describe('POST /api/tasks: tasks with no chat tool', function () {
  this.timeout(120_000);
  let h: Harness;
  let receiver: CallbackReceiver;

  const post = async (body: unknown, headers: Record<string, string> = {}, token: string | null = TOKEN) => {
    const response = await fetch(`${h.gateway.url}/api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const get = async (taskId: string) => {
    const response = await fetch(`${h.gateway.url}/api/tasks/${taskId}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { status?: Record<string, unknown> } };
  };
  /** The task once its workflow has closed and its answer is readable. */
  const ended = (taskId: string) =>
    waitFor(`task ${taskId} to end with its answer`, async () => {
      const { status, body } = await get(taskId);
      return status === 200 && body['workflow_status'] !== 'RUNNING' && body['answer'] !== undefined ? body : undefined;
    }, 60_000);

  before(async () => {
    receiver = await new CallbackReceiver().start();
    h = await Harness.start({ agent: 'answer.js', env: { AGENT_BOT_API_TOKEN: TOKEN } });
  });
  after(async () => {
    await h.stop();
    await receiver.stop();
  });

  it('answers 202, runs the task, shows the answer in GET /api/tasks/<id>, and POSTs one signed callback, retried after a 500', async () => {
    receiver.failNext('POST', /^\/hook$/, 500, 1);
    const response = await post({ repo: 'acme/widgets', request: 'explain the cache', callback_url: receiver.hookUrl, requester: 'ci-bot' });
    assert.equal(response.status, 202);
    const accepted = response.body as unknown as Accepted;
    assert.match(accepted.task_id, /^api-[A-Za-z0-9-]+$/);
    assert.match(accepted.thread, /^[0-9a-f-]{36}$/, 'a new thread gets a UUID');
    assert.equal(accepted.thread_workflow_id, `api:${accepted.thread}`);
    assert.equal(accepted.workflow_id, `api:${accepted.thread}/task/${accepted.task_id}`);

    const task = await ended(accepted.task_id);
    assert.equal(task['outcome'], 'succeeded');
    assert.match(String(task['answer']), /The answer is 42\./);
    assert.equal(task['provider'], 'api');
    assert.equal(task['workflow_id'], accepted.workflow_id);
    assert.equal(task['requester'], 'ci-bot');

    // The first POST got a 500; Temporal retried the activity, and the second one was taken.
    const deliveries = await waitFor('the callback to be accepted', () => (receiver.deliveries.some((d) => d.status === 200) ? receiver.deliveries : undefined));
    assert.deepEqual(deliveries.map((d) => d.status), [500, 200]);
    for (const delivery of deliveries) {
      const signature = delivery.headers[CALLBACK_SIGNATURE_HEADER.toLowerCase()];
      assert.equal(typeof signature, 'string');
      assert.ok(verifyCallbackSignature(TOKEN, delivery.rawBody, signature as string), 'signed over the raw body with the API token');
      assert.ok(!verifyCallbackSignature('another-token', delivery.rawBody, signature as string));
      assert.equal(delivery.headers[CALLBACK_DELIVERY_HEADER.toLowerCase()], accepted.task_id);
    }
    const payload = deliveries[1]!.body as CallbackPayload;
    assert.equal(payload.event, 'task.finished');
    assert.equal(payload.task_id, accepted.task_id);
    assert.equal(payload.workflow_id, accepted.workflow_id);
    assert.equal(payload.thread_id, accepted.thread);
    assert.equal(payload.outcome, 'succeeded');
    assert.match(payload.answer, /The answer is 42\./);
    assert.equal(payload.request, 'explain the cache');
    assert.equal(typeof payload.duration_ms, 'number');
    assert.ok('cost_usd' in payload.usage);
    // The workflow has closed: no further delivery can come.
    assert.equal(receiver.deliveries.filter((d) => d.status === 200).length, 1);
  });

  it('runs a retried POST once: the same Idempotency-Key (or request_id) is the same task', async () => {
    const key = randomUUID();
    const body = { repo: 'acme/widgets', request: 'summarize the README' };
    const first = await post(body, { 'Idempotency-Key': key });
    const second = await post(body, { 'Idempotency-Key': key });
    const third = await post({ ...body, request_id: key });
    assert.equal(first.status, 202);
    assert.deepEqual(second, first);
    assert.deepEqual(third, first);
    const accepted = first.body as unknown as Accepted;
    await ended(accepted.task_id);
    // Sent again after the task ended: still the same task, and it does not run again.
    assert.deepEqual(await post(body, { 'Idempotency-Key': key }), first);
    const conversation = testTemporal().client.workflow.getHandle(accepted.thread_workflow_id);
    const status = await waitFor('the conversation to record the task', async () => {
      const current = await conversation.query(statusQuery);
      return current.past.length > 0 && current.queued.length === 0 && current.current === undefined ? current : undefined;
    });
    assert.deepEqual(status.past.map((task) => task.taskId), [accepted.task_id]);
    // Another key is another task, on another thread.
    const other = await post(body, { 'Idempotency-Key': randomUUID() });
    assert.notEqual((other.body as unknown as Accepted).task_id, accepted.task_id);
    assert.notEqual((other.body as unknown as Accepted).thread, accepted.thread);
  });

  it('continues a thread with "thread"; a running thread keeps the repository and callback of the request that started it (409)', async () => {
    const thread = `t-${randomUUID().slice(0, 8)}`;
    const started = await post({ repo: 'acme/widgets', request: 'explain the cache', thread, callback_url: receiver.hookUrl });
    assert.equal(started.status, 202);
    assert.equal(started.body['thread'], thread);
    await ended(String(started.body['task_id']));
    const elsewhere = await post({ repo: 'acme/widgets', request: 'and the queue?', thread, callback_url: `${receiver.url}/other` });
    assert.equal(elsewhere.status, 409);
    assert.match(String(elsewhere.body['error']), /^callback_url: thread .* with another callback_url/);
    const otherRepo = await post({ repo: 'acme/gadgets', request: 'and the queue?', thread });
    assert.equal(otherRepo.status, 409);
    assert.match(String(otherRepo.body['error']), /^repo: thread .* works on acme\/widgets; a thread keeps the repository/);
    const same = await post({ repo: 'acme/widgets', request: 'and the queue?', thread, callback_url: receiver.hookUrl });
    assert.equal(same.status, 202);
    assert.equal(same.body['thread_workflow_id'], `api:${thread}`);
    assert.notEqual(same.body['task_id'], started.body['task_id']);
    const task = await ended(String(same.body['task_id']));
    assert.equal(task['outcome'], 'succeeded');
  });

  it('answers 400 naming the field for a bad body, and 401 without the token', async () => {
    const cases: [unknown, RegExp][] = [
      ['', /^\(body\): expected a JSON object/],
      ['not json', /^\(body\): expected a JSON object/],
      [[1, 2], /^\(body\): expected a JSON object/],
      [{ request: 'explain' }, /^repo: /],
      [{ repo: 'widgets', request: 'explain' }, /^repo: expected owner\/repo/],
      [{ repo: 'acme/widgets', request: '   ' }, /^request: must not be empty/],
      [{ repo: 'acme/widgets' }, /^request: /],
      [{ repo: 'acme/widgets', request: 'explain nul \u0000 here' }, /^request: must not contain NUL characters/],
      [{ repo: 'acme/widgets', request: 'explain', requester: 'bob\u0000' }, /^requester: must not contain control characters/],
      [{ repo: 'acme/widgets', request: 'explain', callback: 'http://x' }, /^callback: unknown field/],
      [{ repo: 'acme/widgets', request: 'explain', callback_url: 'ftp://example.com/hook' }, /^callback_url: expected an http\(s\) URL/],
      [{ repo: 'acme/widgets', request: 'explain', thread: 'a b' }, /^thread: expected a thread id/],
      [{ repo: 'acme/widgets', request: 'status' }, /^request: the thread command `status`/],
      [{ repo: 'acme/widgets', request: 'in 2h explain the cache' }, /^request: a deferred request/],
    ];
    for (const [body, message] of cases) {
      const response = await post(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(String(response.body['error']), message, JSON.stringify(body));
    }
    const mismatch = await post({ repo: 'acme/widgets', request: 'explain', request_id: 'a' }, { 'Idempotency-Key': 'b' });
    assert.equal(mismatch.status, 400);
    assert.match(String(mismatch.body['error']), /^request_id: differs from the Idempotency-Key header/);
    for (const token of [null, 'wrong-token']) {
      const refused = await post({ repo: 'acme/widgets', request: 'explain' }, {}, token);
      assert.equal(refused.status, 401);
      assert.deepEqual(refused.body, { error: 'unauthorized' });
    }
  });
});
