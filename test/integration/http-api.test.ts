import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { taskStatusQuery } from '../../contracts/messages';
import { Harness } from '../support/harness';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const TOKEN = 'test-api-token';

describe('HTTP API for operators', function () {
  this.timeout(120_000);
  let h: Harness;
  const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const token = init.token === undefined ? TOKEN : init.token;
    return fetch(`${h.gateway.url}${path}`, { ...init, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' } });
  };
  const startTask = async (body: string, number: number) => {
    const response = await h.comment(body, { number });
    const taskId = String(response.body['task_id']);
    await waitFor('the task to be visible', async () => (await api(`/api/tasks/${taskId}`)).status === 200);
    return taskId;
  };

  before(async () => {
    h = await Harness.start({
      agent: 'planner.js',
      env: { AGENT_BOT_API_TOKEN: TOKEN, AGENT_PROMPT_TEMPLATE: '{request}', AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS' },
    });
  });
  after(async () => {
    await h.stop();
  });

  it('refuses every endpoint without the bearer token, or with a wrong one', async () => {
    for (const [method, path] of [['GET', '/api/tasks'], ['GET', '/api/tasks/gh-x'], ['POST', '/api/tasks/gh-x/cancel'], ['POST', '/api/tasks/gh-x/approve'], ['POST', '/api/tasks/gh-x/reject'], ['GET', '/api/tasks/gh-x/stream']]) {
      for (const token of [null, 'wrong-token']) {
        const response = await api(path!, { method: method!, token });
        assert.equal(response.status, 401, `${method} ${path} with ${token ?? 'no token'}`);
        assert.deepEqual(await response.json(), { error: 'unauthorized' });
      }
    }
  });

  it('lists tasks by target and status, and describes one with its live status', async () => {
    const taskId = await startTask('@agent fix the login', 400);
    const target = encodeURIComponent(`acme/${h.repo}#400`);
    const list = await waitFor('the task in the list', async () => {
      const body = (await (await api(`/api/tasks?target=${target}`)).json()) as { tasks: { task_id: string }[] };
      return body.tasks.length > 0 ? body.tasks : undefined;
    });
    assert.equal(list[0]?.task_id, taskId);
    const described = (await (await api(`/api/tasks/${taskId}`)).json()) as { workflow_id: string; status?: { needsApproval: boolean } };
    assert.equal(described.workflow_id, h.taskId(taskId, 400));
    assert.equal(described.status?.needsApproval, true);
    assert.equal((await api('/api/tasks/gh-no-such-task')).status, 404);
    assert.equal((await api('/api/tasks?status=bad"value')).status, 400);
  });

  it('answers 400 naming the parameter for a bad list query or an unknown field in a decision', async () => {
    const cases: [string, RegExp][] = [
      ['/api/tasks?limit=abc', /^limit: /],
      ['/api/tasks?limit=-1', /^limit: /],
      ['/api/tasks?limit=501', /^limit: /],
      ['/api/tasks?status=bogus', /^status: /],
      ['/api/tasks?provider=GitHub', /^provider: .*"github"/],
      ['/api/tasks?provider=bogus', /^provider: .*"github"/],
      ['/api/tasks?state=running', /^\(query\): .*state/],
    ];
    for (const [path, message] of cases) {
      const response = await api(path);
      assert.equal(response.status, 400, path);
      assert.match(((await response.json()) as { error: string }).error, message, path);
    }
    const listed = (await (await api('/api/tasks?limit=1&status=awaiting_approval')).json()) as { tasks: unknown[] };
    assert.ok(listed.tasks.length <= 1);
    for (const decision of ['approve', 'reject']) {
      const response = await api(`/api/tasks/gh-x/${decision}`, { method: 'POST', body: JSON.stringify({ why: 'too risky' }) });
      assert.equal(response.status, 400, decision);
      assert.match(((await response.json()) as { error: string }).error, /^\(body\): .*why/, decision);
    }
  });

  it('approves through POST /api/tasks/<id>/approve, and says 409 when nothing waits', async () => {
    const taskId = await startTask('@agent fix the signup', 401);
    const early = await api(`/api/tasks/${taskId}/approve`, { method: 'POST', body: JSON.stringify({ by: 'ops' }) });
    if (early.status === 409) {
      // Still planning: nothing waited yet, and the API said so at once.
      await waitFor('the plan to wait', async () => (await testTemporal().client.workflow.getHandle(h.taskId(taskId, 401)).query(taskStatusQuery)).phase === 'awaiting_approval');
      const approved = await api(`/api/tasks/${taskId}/approve`, { method: 'POST', body: JSON.stringify({ by: 'ops' }) });
      assert.equal(approved.status, 200);
    } else {
      assert.equal(early.status, 200);
    }
    const final = await waitFor('the final comment', () => h.commentsOn(401)[0], 30_000);
    assert.match(final.body, /Approved by @ops via api/);
    const again = await api(`/api/tasks/${taskId}/approve`, { method: 'POST' });
    assert.equal(again.status, 409);
  });

  it('rejects through POST /api/tasks/<id>/reject with a reason', async () => {
    const taskId = await startTask('@agent fix the logout', 402);
    await waitFor('the plan to wait', async () => (await testTemporal().client.workflow.getHandle(h.taskId(taskId, 402)).query(taskStatusQuery)).phase === 'awaiting_approval');
    const rejected = await api(`/api/tasks/${taskId}/reject`, { method: 'POST', body: JSON.stringify({ by: 'ops', reason: 'too risky' }) });
    assert.equal(rejected.status, 200);
    const final = await waitFor('the final comment', () => h.commentsOn(402)[0], 30_000);
    assert.match(final.body, /Rejected/);
    assert.match(final.body, /too risky/);
  });

  it('cancels a task through POST /api/tasks/<id>/cancel', async () => {
    const taskId = await startTask('@agent fix everything', 403);
    const cancelled = await api(`/api/tasks/${taskId}/cancel`, { method: 'POST' });
    assert.equal(cancelled.status, 202);
    const final = await waitFor('the final comment', () => h.commentsOn(403)[0], 30_000);
    assert.match(final.body, /Cancelled/);
  });
});

describe('HTTP API: following a task log', function () {
  this.timeout(60_000);

  it('streams stream.jsonl as Server-Sent Events while the task runs, and closes when it ends', async () => {
    // The agent works until the test lets it finish: lines read before that were streamed live.
    const gate = fs.mkdtempSync(path.join(testTemporal().dataDir, 'gate-'));
    const h = await Harness.start({ agent: 'slow.js', env: { AGENT_BOT_API_TOKEN: TOKEN, SLOW_AGENT_SECONDS: '60', SLOW_AGENT_GATE_DIR: gate, AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS,SLOW_AGENT_GATE_DIR' } });
    try {
      const response = await h.comment('@agent ask slowly', { number: 410 });
      const taskId = String(response.body['task_id']);
      await waitFor('the task to be visible', async () => (await fetch(`${h.gateway.url}/api/tasks/${taskId}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status === 200);
      const stream = await fetch(`${h.gateway.url}/api/tasks/${taskId}/stream`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(stream.status, 200);
      assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let beforeRelease = 0;
      let releasedAt: number | undefined;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value as Uint8Array, { stream: true });
        if (releasedAt === undefined && (text.match(/working \d+\/60/g) ?? []).length >= 2) {
          beforeRelease = (text.match(/working \d+\/60/g) ?? []).length;
          releasedAt = Date.now();
          fs.writeFileSync(path.join(gate, taskId), '');
        }
      }
      assert.ok(releasedAt !== undefined, 'output lines were streamed while the agent still ran');
      assert.ok(beforeRelease >= 2, `saw ${beforeRelease} lines before the agent was let finish`);
      assert.match(text, /event: end/, 'closed with an end event when the task ended');
      const events = text.split('\n').filter((l) => l.startsWith('data: {"ts"')).map((l) => JSON.parse(l.slice(6)) as { event_type: string });
      assert.ok(events.some((e) => e.event_type === 'cli_output'));
      assert.equal(events.at(-1)?.event_type, 'completion');
    } finally {
      await h.stop();
    }
  });
});
