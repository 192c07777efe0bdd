import assert from 'node:assert/strict';
import { Harness } from '../support/harness';
import { SLACK_BOT_USER_ID, SLACK_TEAM_ID, urlVerification } from '../support/slack-deliveries';
import { waitFor } from '../support/wait';

const BOT = `<@${SLACK_BOT_USER_ID}>`;
const CHANNEL = 'C0CHANNEL1';

describe('Slack: a new app whose bot identity cannot be resolved', function () {
  this.timeout(120_000);

  it('passes the Events URL check with a revoked token, and with no token at all', async () => {
    for (const options of [{ slack: { refuseToken: { error: 'token_revoked' } } }, { slack: true, env: { SLACK_BOT_TOKEN: '' } }]) {
      const h = await Harness.start({ ...options, startWorker: false });
      try {
        assert.deepEqual(await h.slackPost('events', JSON.stringify(urlVerification('c-new-app'))), { status: 200, body: { challenge: 'c-new-app' } });
      } finally {
        await h.stop();
      }
    }
  });

  it('answers a mention with a revoked token with a 503 naming what to set, not a bare 500', async () => {
    const h = await Harness.start({ slack: { refuseToken: { error: 'token_revoked' } }, startWorker: false });
    try {
      h.slack!.addChannel(CHANNEL);
      const sent = await h.slackMention(`${BOT} explain the cache`);
      assert.equal(sent.status, 503);
      assert.equal(sent.body['slack_error'], 'token_revoked');
      assert.match(String(sent.body['error']), /SLACK_BOT_TOKEN/);
      assert.match(String(sent.body['error']), /SLACK_BOT_USER_ID/);
    } finally {
      await h.stop();
    }
  });

  it('runs a mention to its answer when SLACK_BOT_USER_ID is set and auth.test fails, with a link to the thread', async () => {
    const h = await Harness.start({ slack: { refuseToken: { error: 'invalid_auth', methods: ['auth.test'] } }, env: { SLACK_BOT_USER_ID } });
    try {
      h.slack!.addChannel(CHANNEL);
      const sent = await h.slackMention(`${BOT} explain the cache`);
      assert.equal(sent.status, 200);
      assert.equal(sent.body['workflow_id'], h.slackThreadId(CHANNEL, sent.ts));
      const done = await waitFor('the final answer', () => h.slack!.thread(CHANNEL, sent.ts).find((m) => m.bot_id !== undefined && /Done\*/.test(JSON.stringify(m.blocks ?? []))));
      assert.match(JSON.stringify(done.blocks), /asked: explain the cache.*The answer is 42/);
      const description = await h.temporal.client.workflow.getHandle(h.slackThreadId(CHANNEL, sent.ts)).describe();
      const link = `https://app.slack.com/client/${SLACK_TEAM_ID}/${CHANNEL}/thread/${CHANNEL}-${sent.ts}`;
      assert.ok((await description.staticDetails())?.includes(`(${link})`), 'the conversation links to its thread without auth.test');
    } finally {
      await h.stop();
    }
  });
});
