import assert from 'node:assert/strict';
import { Connection } from '@temporalio/client';
import { loadConfig } from '../../config/load';
import { startGateway } from '../../workers/gateway-server';
import { Harness } from '../support/harness';
import { freePort } from '../support/temporal';
import { commentPayload, githubFixture, sendGithubDelivery, TEST_WEBHOOK_SECRET } from '../support/webhooks';

describe('gateway: what POST /webhooks/github answers', function () {
  this.timeout(60_000);
  let h: Harness;
  const send = (delivery: Parameters<typeof sendGithubDelivery>[1]) => sendGithubDelivery(h.gateway.url, delivery);
  const comment = (body = '@agent hi') => commentPayload({ body, repo: h.repo, number: 90 });

  before(async () => {
    h = await Harness.start({ startWorker: false });
  });
  after(async () => {
    await h.stop();
  });

  it('401 with no detail for a wrong signature', async () => {
    const response = await send({ event: 'issue_comment', payload: comment(), secret: 'not-the-secret' });
    assert.equal(response.status, 401);
    assert.deepEqual(response.body, { error: 'unauthorized' });
  });

  it('401 for a missing signature, even when everything else is wrong too', async () => {
    const response = await send({ event: 'issue_comment', payload: comment(), headers: { 'x-hub-signature-256': undefined, 'x-github-event': undefined } });
    assert.equal(response.status, 401);
  });

  it('400 naming the missing X-GitHub-Event and X-GitHub-Delivery headers', async () => {
    const one = await send({ event: 'issue_comment', payload: comment(), headers: { 'x-github-event': undefined } });
    assert.equal(one.status, 400);
    assert.match(String(one.body['error']), /X-GitHub-Event/);
    const both = await send({ event: 'issue_comment', payload: comment(), headers: { 'x-github-event': undefined, 'x-github-delivery': undefined } });
    assert.match(String(both.body['error']), /X-GitHub-Event, X-GitHub-Delivery/);
  });

  it('415 for a body that is not JSON content', async () => {
    const response = await send({ event: 'issue_comment', payload: comment(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(response.status, 415);
    assert.match(String(response.body['error']), /application\/json/);
  });

  it('413 for a body over 25 MB', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(25 * 1024 * 1024) });
    const response = await send({ event: 'issue_comment', payload: undefined, rawBody: huge });
    assert.equal(response.status, 413);
  });

  it('400 for malformed JSON', async () => {
    const response = await send({ event: 'issue_comment', payload: undefined, rawBody: '{"action": "created",' });
    assert.equal(response.status, 400);
    assert.match(String(response.body['error']), /malformed JSON/);
  });

  it('400 naming the field when a payload lacks one we read', async () => {
    const payload = comment() as { comment: Record<string, unknown> };
    delete payload.comment['user'];
    const response = await send({ event: 'issue_comment', payload });
    assert.equal(response.status, 400);
    assert.match(String(response.body['error']), /comment\.user/);
  });

  it('400 naming `action` for a signed body that is not an event payload at all', async () => {
    for (const [payload, got] of [[{}, 'nothing'], [[], 'a JSON array body'], [null, 'a null body'], [{ action: 7 }, 'number']] as const) {
      const response = await send({ event: 'issue_comment', payload });
      assert.equal(response.status, 400, JSON.stringify(payload));
      assert.equal(response.body['error'], `issue_comment payload: action: expected a string (got ${got})`);
    }
  });

  it('413 naming the size for a comment too large for Temporal, at once', async () => {
    const response = await send({ event: 'issue_comment', payload: commentPayload({ body: `@agent explain ${'x'.repeat(1_100_000)}`, repo: h.repo }) });
    assert.equal(response.status, 413);
    assert.match(String(response.body['error']), /^request too large: \d+ bytes of command and thread, at most 1048576/);
  });

  it('200 for ping', async () => {
    const response = await send({ event: 'ping', payload: githubFixture('ping') });
    assert.equal(response.status, 200);
  });

  it('200 {"ignored": reason} for events and comments that are not commands', async () => {
    const push = await send({ event: 'push', payload: { ref: 'refs/heads/main' } });
    assert.deepEqual([push.status, push.body], [200, { ignored: 'push is not handled' }]);
    const chat = await send({ event: 'issue_comment', payload: comment('just chatting') });
    assert.equal(chat.status, 200);
    assert.match(String(chat.body['ignored']), /no @agent command/);
    const stranger = await send({ event: 'issue_comment', payload: commentPayload({ body: '@agent hi', repo: h.repo, association: 'NONE', login: 'stranger' }) });
    assert.match(String(stranger.body['ignored']), /not trusted/);
  });

  it('200 ignored when a closed PR has no running workflow', async () => {
    const closed = githubFixture<{ number: number; repository: { name: string } }>('pull_request.closed');
    closed.repository.name = h.repo;
    closed.number = 999;
    const response = await send({ event: 'pull_request', payload: closed });
    assert.equal(response.status, 200);
    assert.ok('ignored' in response.body);
  });

  it('GET /health and /health/ready answer 200 while Temporal is up', async () => {
    assert.equal((await fetch(`${h.gateway.url}/health`)).status, 200);
    assert.equal((await fetch(`${h.gateway.url}/health/ready`)).status, 200);
  });
});

describe('gateway: readiness without Temporal', function () {
  this.timeout(30_000);
  it('GET /health is 200 but /health/ready is 503 when Temporal cannot be reached', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const config = loadConfig({ TEMPORAL_ADDRESS: address, GATEWAY_HOST: '127.0.0.1' });
    const connection = Connection.lazy({ address });
    const gateway = await startGateway({ config, connection, log: () => {}, port: 0 });
    try {
      assert.equal((await fetch(`${gateway.url}/health`)).status, 200);
      assert.equal((await fetch(`${gateway.url}/health/ready`)).status, 503);
    } finally {
      await gateway.close();
    }
  });

  it('answers a webhook 503 before GitHub gives up (10 s) when Temporal cannot be reached', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const config = loadConfig({ TEMPORAL_ADDRESS: address, GATEWAY_HOST: '127.0.0.1', GITHUB_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET });
    const connection = Connection.lazy({ address });
    const gateway = await startGateway({ config, connection, log: () => {}, port: 0 });
    try {
      // GitHub's own contract: no answer within 10 s is a failed delivery. The gateway retries for 7 s.
      const response = await Promise.race([
        sendGithubDelivery(gateway.url, { event: 'issue_comment', payload: commentPayload({ body: '@agent explain the cache' }) }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s')), 10_000).unref()),
      ]);
      assert.equal(response.status, 503);
      assert.match(String(response.body['error']), /^Temporal is unavailable/);
    } finally {
      await gateway.close();
    }
  });
});
