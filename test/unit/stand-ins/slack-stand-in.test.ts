import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { ErrorCode, type Logger, LogLevel, WebClient, retryPolicies } from '@slack/web-api';
import { SlackStandIn } from '../../support/slack-stand-in';
import { appMentionEvent, blockActionsForm, signSlackRequest, signedSlackDelivery, slashCommandForm, urlVerification } from '../../support/slack-deliveries';

// Slack's published example: https://docs.slack.dev/authentication/verifying-requests-from-slack
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SLACK_TIMESTAMP = 1531420618;
const SLACK_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
  '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands' +
  '%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SLACK_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

/** A logger that keeps what the WebClient logs, so a test can assert on it instead of printing it. */
function capturingLogger(lines: string[]): Logger {
  const keep = (...message: unknown[]) => void lines.push(message.map(String).join(' '));
  return { debug: () => undefined, info: keep, warn: keep, error: keep, setLevel: () => undefined, getLevel: () => LogLevel.INFO, setName: () => undefined };
}

function platformError(error: unknown): { code: string; data: { error: string; errors?: string[] } } {
  return error as { code: string; data: { error: string; errors?: string[] } };
}

describe('SlackStandIn with @slack/web-api', () => {
  let slack: SlackStandIn;
  let client: WebClient;

  beforeEach(async () => {
    slack = await new SlackStandIn().start();
    slack.addChannel('C0GENERAL', { name: 'general' });
    slack.addUser({ id: 'U0ALICE', name: 'alice', real_name: 'Alice Liddell', is_bot: false });
    client = new WebClient(slack.token, { slackApiUrl: `${slack.url}/api/`, logLevel: LogLevel.ERROR, retryConfig: retryPolicies.rapidRetryPolicy });
  });

  afterEach(() => slack.stop());

  describe('signing', () => {
    it("reproduces Slack's published signing example", () => {
      assert.equal(signSlackRequest(SLACK_SECRET, SLACK_TIMESTAMP, SLACK_BODY), SLACK_SIGNATURE);
    });

    it('signs a delivery over the exact body and timestamp it sends', () => {
      const body = JSON.stringify(appMentionEvent({ text: '<@U0AGENTBOT> fix the build', channel: 'C0GENERAL', user: 'U0ALICE', ts: '1700000000.000100' }));
      const delivery = signedSlackDelivery('s3cret', body, { timestamp: 1_700_000_000, retryNum: 1 });
      const expected = createHmac('sha256', 's3cret').update(`v0:1700000000:${body}`).digest('hex');
      assert.equal(delivery.headers['x-slack-signature'], `v0=${expected}`);
      assert.equal(delivery.headers['x-slack-request-timestamp'], '1700000000');
      assert.equal(delivery.headers['x-slack-retry-num'], '1');
      assert.equal(delivery.headers['x-slack-retry-reason'], 'http_timeout');
    });

    it('builds app_mention, url_verification, block_actions and slash command bodies as Slack sends them', () => {
      const top = appMentionEvent({ text: 'hi', channel: 'C1', user: 'U1', ts: '1700000000.000100' });
      assert.equal(top['type'], 'event_callback');
      assert.equal((top['event'] as Record<string, unknown>)['thread_ts'], undefined);
      const inThread = appMentionEvent({ text: 'hi', channel: 'C1', user: 'U1', ts: '1700000000.000200', threadTs: '1700000000.000100' });
      assert.equal((inThread['event'] as Record<string, unknown>)['thread_ts'], '1700000000.000100');
      assert.equal(urlVerification('abc')['challenge'], 'abc');

      const form = new URLSearchParams(blockActionsForm({ actionId: 'approve', value: 'task-1', user: 'U1', channel: 'C1', messageTs: '1700000000.000300' }));
      const payload = JSON.parse(form.get('payload')!) as { type: string; actions: { action_id: string; value: string }[]; container: { message_ts: string } };
      assert.equal(payload.type, 'block_actions');
      assert.deepEqual([payload.actions[0]!.action_id, payload.actions[0]!.value], ['approve', 'task-1']);
      assert.equal(payload.container.message_ts, '1700000000.000300');

      const command = new URLSearchParams(slashCommandForm({ command: '/agent', text: 'fix the flaky test', user: 'U1', channel: 'C1' }));
      assert.equal(command.get('command'), '/agent');
      assert.equal(command.get('text'), 'fix the flaky test');
    });
  });

  it('answers auth.test, and invalid_auth for another token', async () => {
    const me = await client.auth.test();
    assert.equal(me.user_id, 'U0AGENTBOT');
    assert.equal(me.team_id, 'T0TEAM0001');
    assert.equal(me.bot_id, 'B0AGENTBOT');
    assert.equal(slack.requests[0]!.authorization, `Bearer ${slack.token}`);
    assert.match(String(slack.requests[0]!.headers['content-type']), /application\/x-www-form-urlencoded/);

    const stranger = new WebClient('xoxb-wrong', { slackApiUrl: `${slack.url}/api/`, logLevel: LogLevel.ERROR });
    await assert.rejects(stranger.auth.test(), (error) => platformError(error).data.error === 'invalid_auth');
  });

  it('refuses its own token on demand, as Slack does a revoked one: every method, or only those named', async () => {
    slack.refuseToken('token_revoked');
    await assert.rejects(client.auth.test(), (error) => platformError(error).data.error === 'token_revoked');
    await assert.rejects(client.chat.postMessage({ channel: 'C0GENERAL', text: 'hi' }), (error) => platformError(error).data.error === 'token_revoked');
    slack.refuseToken('invalid_auth', ['auth.test']);
    await assert.rejects(client.auth.test(), (error) => platformError(error).data.error === 'invalid_auth');
    assert.equal((await client.chat.postMessage({ channel: 'C0GENERAL', text: 'hi' })).ok, true);
    slack.acceptToken();
    assert.equal((await client.auth.test()).user_id, 'U0AGENTBOT');
  });

  it('posts in a thread, edits in place and keeps every version', async () => {
    const mention = slack.postAsUser('C0GENERAL', { user: 'U0ALICE', text: '<@U0AGENTBOT> fix it' });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*Working on it*' } }];
    const posted = await client.chat.postMessage({ channel: 'C0GENERAL', thread_ts: mention.ts, text: 'Working on it', blocks });
    assert.equal(posted.channel, 'C0GENERAL');
    assert.match(posted.ts!, /^\d{10}\.\d{6}$/);
    assert.equal(posted.message?.bot_id, 'B0AGENTBOT');
    assert.equal(posted.message?.thread_ts, mention.ts);
    assert.deepEqual(slack.message('C0GENERAL', posted.ts!)?.blocks, blocks);

    await client.chat.update({ channel: 'C0GENERAL', ts: posted.ts!, text: 'Done: 3 files changed' });
    assert.deepEqual(slack.edits('C0GENERAL', posted.ts!), ['Working on it', 'Done: 3 files changed']);
    assert.equal(slack.thread('C0GENERAL', mention.ts).length, 2);
    assert.equal(slack.message('C0GENERAL', mention.ts)?.reply_count, 1);

    await assert.rejects(client.chat.update({ channel: 'C0GENERAL', ts: '1600000000.000100', text: 'x' }), (e) => platformError(e).data.error === 'message_not_found');
    await assert.rejects(client.chat.update({ channel: 'C0GENERAL', ts: mention.ts, text: 'x' }), (e) => platformError(e).data.error === 'cant_update_message');
  });

  it('refuses unknown channels, channels the bot is not in, and over-long text and section blocks', async () => {
    const logged: string[] = [];
    client = new WebClient(slack.token, { slackApiUrl: `${slack.url}/api/`, logger: capturingLogger(logged), retryConfig: retryPolicies.rapidRetryPolicy });
    slack.addChannel('C0PRIVATE', { isMember: false });
    const refused = async (args: Parameters<WebClient['chat']['postMessage']>[0]) => {
      try {
        await client.chat.postMessage(args);
        return 'posted';
      } catch (error) {
        assert.equal(platformError(error).code, ErrorCode.PlatformError);
        return platformError(error).data.error;
      }
    };
    assert.equal(await refused({ channel: 'C0NOWHERE', text: 'x' }), 'channel_not_found');
    assert.equal(await refused({ channel: 'C0PRIVATE', text: 'x' }), 'not_in_channel');
    assert.equal(await refused({ channel: 'C0GENERAL', text: 'x'.repeat(40_001) }), 'msg_too_long');
    assert.equal(await refused({ channel: 'C0GENERAL', text: 'x'.repeat(40_000) }), 'posted');
    assert.equal(await refused({ channel: 'C0GENERAL', text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3001) } }] }), 'invalid_blocks');
    assert.equal(await refused({ channel: 'C0GENERAL', text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'y'.repeat(3000) } }] }), 'posted');
    // Slack's detail comes back in response_metadata.messages, which the WebClient logs as errors.
    assert.ok(logged.includes('must be less than 3001 characters [json-pointer:/blocks/0/text/text]'), logged.join('\n'));
  });

  it('keeps reactions per message: already_reacted on a repeat, no_reaction after removal', async () => {
    const mention = slack.postAsUser('C0GENERAL', { user: 'U0ALICE', text: 'hello' });
    await client.reactions.add({ channel: 'C0GENERAL', timestamp: mention.ts, name: 'eyes' });
    assert.deepEqual(slack.message('C0GENERAL', mention.ts)?.reactions, [{ name: 'eyes', users: ['U0AGENTBOT'], count: 1 }]);
    await assert.rejects(client.reactions.add({ channel: 'C0GENERAL', timestamp: mention.ts, name: 'eyes' }), (e) => platformError(e).data.error === 'already_reacted');
    await client.reactions.remove({ channel: 'C0GENERAL', timestamp: mention.ts, name: 'eyes' });
    assert.deepEqual(slack.message('C0GENERAL', mention.ts)?.reactions, []);
    await assert.rejects(client.reactions.remove({ channel: 'C0GENERAL', timestamp: mention.ts, name: 'eyes' }), (e) => platformError(e).data.error === 'no_reaction');
  });

  it('pages conversations.replies with a cursor, and the WebClient follows it', async () => {
    const parent = slack.postAsUser('C0GENERAL', { user: 'U0ALICE', text: 'parent' });
    for (let i = 1; i <= 4; i++) slack.postAsUser('C0GENERAL', { user: 'U0ALICE', text: `reply ${i}`, thread_ts: parent.ts });
    const first = await client.conversations.replies({ channel: 'C0GENERAL', ts: parent.ts, limit: 2 });
    assert.deepEqual(first.messages?.map((m) => m.text), ['parent', 'reply 1']);
    assert.equal(first.has_more, true);
    assert.notEqual(first.response_metadata?.next_cursor, '');

    const texts: string[] = [];
    for await (const page of client.paginate('conversations.replies', { channel: 'C0GENERAL', ts: parent.ts, limit: 2 })) {
      texts.push(...(page as unknown as { messages: { text: string }[] }).messages.map((m) => m.text));
    }
    assert.deepEqual(texts, ['parent', 'reply 1', 'reply 2', 'reply 3', 'reply 4']);
    await assert.rejects(client.conversations.replies({ channel: 'C0GENERAL', ts: '1600000000.000100' }), (e) => platformError(e).data.error === 'thread_not_found');
  });

  it('answers conversations.info, users.info and chat.postEphemeral', async () => {
    const info = await client.conversations.info({ channel: 'C0GENERAL' });
    assert.equal(info.channel?.name, 'general');
    const user = await client.users.info({ user: 'U0ALICE' });
    assert.equal(user.user?.real_name, 'Alice Liddell');
    await assert.rejects(client.users.info({ user: 'U0NOBODY' }), (e) => platformError(e).data.error === 'user_not_found');
    const ephemeral = await client.chat.postEphemeral({ channel: 'C0GENERAL', user: 'U0ALICE', text: 'only you can see this' });
    assert.equal(slack.ephemerals[0]?.message_ts, ephemeral.message_ts);
  });

  it('takes a filesUploadV2 upload into a thread and keeps the bytes', async () => {
    const parent = slack.postAsUser('C0GENERAL', { user: 'U0ALICE', text: 'please attach the log' });
    const content = 'line 1\nline 2\n';
    const result = await client.filesUploadV2({ channel_id: 'C0GENERAL', thread_ts: parent.ts, filename: 'task.log', content, initial_comment: 'The log' });
    assert.equal(result.ok, true);

    const calls = slack.requests.map((r) => r.path.replace(/[A-Z0-9]{10}$/, '<id>'));
    assert.deepEqual(calls, ['/api/files.getUploadURLExternal', '/upload/v1/<id>', '/api/files.completeUploadExternal']);
    const [file] = [...slack.files.values()];
    assert.equal(file!.filename, 'task.log');
    assert.equal(file!.declaredLength, Buffer.byteLength(content));
    assert.equal(file!.content?.toString('utf8'), content);
    assert.equal(file!.uploadedAs, 'body');
    assert.deepEqual(file!.shares, [{ channel: 'C0GENERAL', thread_ts: parent.ts, initial_comment: 'The log' }]);
    const share = slack.thread('C0GENERAL', parent.ts)[1];
    assert.equal(share?.text, 'The log');
    assert.deepEqual(share?.files?.map((f) => f.name), ['task.log']);
  });

  it('has the WebClient itself wait out a 429 with Retry-After: 1 and retry', async () => {
    slack.failNext('POST', /^\/api\/chat\.postMessage$/, 429, 1, { headers: { 'retry-after': '1' } });
    const posted = await client.chat.postMessage({ channel: 'C0GENERAL', text: 'after the rate limit' });
    const tries = slack.requestsTo('POST', /^\/api\/chat\.postMessage$/);
    assert.deepEqual(tries.map((t) => t.status), [429, 200]);
    // The rapid retry policy adds no backoff of its own: the gap is the Retry-After the client honoured.
    assert.ok(tries[1]!.at - tries[0]!.at >= 950, `retried after ${tries[1]!.at - tries[0]!.at} ms`);
    assert.equal(slack.message('C0GENERAL', posted.ts!)?.text, 'after the rate limit');
  });

  it('surfaces a scripted {ok:false} as the library platform_error with data.error, and a 5xx as an HTTP error', async () => {
    slack.failWithError('chat.postMessage', 'fatal_error');
    await assert.rejects(client.chat.postMessage({ channel: 'C0GENERAL', text: 'x' }), (error) => {
      assert.equal(platformError(error).code, 'slack_webapi_platform_error');
      assert.equal(platformError(error).data.error, 'fatal_error');
      return true;
    });
    const noRetry = new WebClient(slack.token, { slackApiUrl: `${slack.url}/api/`, logLevel: LogLevel.ERROR, retryConfig: { retries: 0 } });
    slack.failNext('POST', /^\/api\/chat\.update$/, 503, 1);
    await assert.rejects(noRetry.chat.update({ channel: 'C0GENERAL', ts: '1', text: 'x' }), (error) => platformError(error).code === 'slack_webapi_http_error');
    assert.equal(slack.channels.get('C0GENERAL')!.messages.length, 0);
  });

  it('takes JSON bodies with a bearer token, and refuses a token inside a JSON body', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${slack.url}/api/chat.postMessage`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const ok = await post({ authorization: `Bearer ${slack.token}` }, { channel: 'C0GENERAL', text: 'json', blocks: [{ type: 'divider' }] });
    assert.equal(ok['ok'], true);
    const refused = await post({}, { token: slack.token, channel: 'C0GENERAL', text: 'json' });
    assert.deepEqual(refused, { ok: false, error: 'not_authed' });
  });
});
