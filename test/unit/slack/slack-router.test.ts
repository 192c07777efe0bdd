import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../config/load';
import type { Command } from '../../../contracts/task';
import type { ThreadRef } from '../../../contracts/thread';
import { createGatewayApp } from '../../../gateway/app';
import type { Dispatcher } from '../../../gateway/dispatcher';
import { SLACK_ACTIONS } from '../../../integrations/slack/render';
import { providerRouters } from '../../../workers/gateway-routers';
import { appMentionEvent, blockActionsForm, signedSlackDelivery, slashCommandForm, SLACK_BOT_USER_ID, SLACK_TEAM_ID, urlVerification } from '../../support/slack-deliveries';
import { SlackStandIn, type SlackStandInOptions } from '../../support/slack-stand-in';

const SECRET = 'router-test-signing-secret';
const CHANNEL = 'C0CHANNEL1';

/** A dispatcher that records what reaches Temporal and accepts it. */
function recordingDispatcher(): Dispatcher & { commands: { thread: ThreadRef; command: Command }[]; decisions: string[] } {
  const commands: { thread: ThreadRef; command: Command }[] = [];
  const decisions: string[] = [];
  return {
    commands,
    decisions,
    dispatchCommand: (thread, command) => {
      commands.push({ thread, command });
      return Promise.resolve({ workflowId: `slack:${thread.key}` });
    },
    closeThread: () => Promise.resolve(true),
    signalCommand: () => Promise.resolve(true),
    decideTask: (taskWorkflowId) => {
      decisions.push(taskWorkflowId);
      return Promise.resolve(true);
    },
    cancelTask: () => Promise.resolve(true),
  };
}

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * The gateway's Slack routes as `npm run start:gateway` builds them (providerRouters, the real identity
 * source), with a dispatcher that records instead of Temporal, against a Slack stand-in.
 */
describe('Slack router: who agent-bot is, and what Slack gets when it cannot tell', () => {
  let slack: SlackStandIn;
  let server: Server | undefined;
  let dispatcher: ReturnType<typeof recordingDispatcher>;
  let logged: { message: string; meta: Record<string, unknown>; level: string }[];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slack-router-'));

  /**
   * Starts the gateway with SLACK_* settings (`token: null` leaves SLACK_BOT_TOKEN unset), after `script`
   * has scripted the stand-in: the gateway asks auth.test as it starts.
   */
  const start = async (settings: { token?: string | null; botUserId?: string; standIn?: SlackStandInOptions; script?: (standIn: SlackStandIn) => void } = {}): Promise<string> => {
    slack = await new SlackStandIn(settings.standIn).start();
    slack.addChannel(CHANNEL, { name: 'eng' });
    settings.script?.(slack);
    const config = loadConfig(
      {
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: `${slack.url}/api/`,
        SLACK_CHANNEL_REPOS: JSON.stringify({ [CHANNEL]: 'acme/widgets' }),
        ...(settings.token === null ? {} : { SLACK_BOT_TOKEN: settings.token ?? slack.token }),
        ...(settings.botUserId === undefined ? {} : { SLACK_BOT_USER_ID: settings.botUserId }),
      },
      dataDir,
    );
    dispatcher = recordingDispatcher();
    logged = [];
    const log = (message: string, meta: Record<string, unknown> = {}, level = 'info'): void => void logged.push({ message, meta, level });
    const app = createGatewayApp({ routers: providerRouters({ config, dispatcher, log }), isTemporalReachable: () => Promise.resolve(true), log });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/slack`;
  };

  const post = async (url: string, body: string, form = false): Promise<Answer> => {
    const delivery = signedSlackDelivery(SECRET, body, { form });
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  const mention = (base: string, text = `<@${SLACK_BOT_USER_ID}> explain the cache`): Promise<Answer> => {
    const ts = slack.postAsUser(CHANNEL, { user: 'U0PERSON01', text }).ts;
    return post(`${base}/events`, JSON.stringify(appMentionEvent({ text, channel: CHANNEL, user: 'U0PERSON01', ts })));
  };
  const identityLines = () => logged.filter((line) => /^Slack: (agent-bot cannot tell|auth\.test failed)/.test(line.message));

  afterEach(async () => {
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
    await slack.stop();
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  for (const [name, settings] of [
    ['a token Slack does not know (invalid_auth)', { token: 'xoxb-not-this-one' }],
    ['a revoked token (token_revoked)', { standIn: { refuseToken: { error: 'token_revoked' } } }],
    ['no token and no SLACK_BOT_USER_ID', { token: null }],
  ] as const) {
    it(`answers the Events URL check with the challenge with ${name}`, async () => {
      const base = await start(settings);
      const answer = await post(`${base}/events`, JSON.stringify(urlVerification('c-42')));
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { challenge: 'c-42' });
    });
  }

  it('takes a mention with SLACK_BOT_USER_ID set while auth.test fails, linking the thread in the web client', async () => {
    const base = await start({ botUserId: SLACK_BOT_USER_ID, standIn: { refuseToken: { error: 'invalid_auth', methods: ['auth.test'] } } });
    const first = await mention(base);
    const second = await mention(base, `<@${SLACK_BOT_USER_ID}> and the queue`);
    assert.equal(first.status, 200);
    assert.match(String(first.body['task_id']), /^sl-/);
    assert.equal(second.status, 200);
    assert.equal(dispatcher.commands.length, 2);
    const { thread, command } = dispatcher.commands[0]!;
    assert.equal(thread.url, `https://app.slack.com/client/${SLACK_TEAM_ID}/${CHANNEL}/thread/${CHANNEL}-${command.messageId}`);
    assert.equal(command.url, thread.url);
    assert.ok(slack.requestsTo('POST', /^\/api\/auth\.test$/).length <= 1, 'a refused auth.test is not asked again by every request');
    assert.deepEqual(identityLines().map((line) => [line.level, line.meta['slackError']]), [['warn', 'invalid_auth']]);
  });

  it('answers a mention with a revoked token with 503 naming what to set and the Slack error, asks Slack no retry, and logs it once', async () => {
    const base = await start({ standIn: { refuseToken: { error: 'token_revoked' } } });
    const answers = [await mention(base), await mention(base), await mention(base)];
    for (const answer of answers) {
      assert.equal(answer.status, 503);
      assert.equal(answer.body['slack_error'], 'token_revoked');
      assert.match(String(answer.body['error']), /SLACK_BOT_TOKEN.*token_revoked.*SLACK_BOT_USER_ID/);
      assert.equal(answer.headers.get('x-slack-no-retry'), '1');
    }
    assert.equal(dispatcher.commands.length, 0);
    assert.equal(identityLines().length, 1, JSON.stringify(logged));
    assert.deepEqual([identityLines()[0]!.level, identityLines()[0]!.meta['slackError']], ['error', 'token_revoked']);
    assert.equal(logged.filter((line) => line.message === 'gateway error').length, 0, 'no stack per request');
    assert.equal(slack.requestsTo('POST', /^\/api\/auth\.test$/).length, 1, 'a refusal is kept, not asked again by every request');
  });

  it('answers a slash command with a revoked token to the person, and still takes button clicks', async () => {
    const base = await start({ standIn: { refuseToken: { error: 'token_revoked', methods: ['auth.test'] } } });
    const slash = await post(`${base}/commands`, slashCommandForm({ command: '/agent', text: 'explain the build', user: 'U0PERSON01', channel: CHANNEL }), true);
    assert.equal(slash.status, 200);
    assert.equal(slash.body['response_type'], 'ephemeral');
    assert.match(String(slash.body['text']), /cannot take requests until it is set up.*token_revoked/);
    assert.equal(slack.channels.get(CHANNEL)!.messages.length, 0, 'no thread started');
    const task = `slack:${SLACK_TEAM_ID}/${CHANNEL}/1700000000.000100/task/sl-1`;
    const click = await post(`${base}/interactivity`, blockActionsForm({ actionId: SLACK_ACTIONS.approve, value: task, user: 'U0PERSON01', channel: CHANNEL, messageTs: '1700000000.000200' }), true);
    assert.equal(click.status, 200);
    assert.deepEqual(dispatcher.decisions, [task]);
  });

  it('answers a mention with no token and no SLACK_BOT_USER_ID with 503 naming both', async () => {
    const base = await start({ token: null });
    const answer = await mention(base);
    assert.equal(answer.status, 503);
    assert.equal(answer.body['slack_error'], 'not_configured');
    assert.match(String(answer.body['error']), /set SLACK_BOT_TOKEN .* or SLACK_BOT_USER_ID/);
    assert.equal(answer.headers.get('x-slack-no-retry'), '1');
    assert.equal(slack.requests.length, 0, 'nothing to ask Slack without a token');
  });

  it('lets Slack retry when Slack could not be asked (5xx from auth.test)', async () => {
    const base = await start({ script: (standIn) => standIn.failNext('POST', /^\/api\/auth\.test$/, 503, 100) });
    const answer = await mention(base);
    assert.equal(answer.status, 503);
    assert.equal(answer.body['slack_error'], 'http_503');
    assert.equal(answer.headers.get('x-slack-no-retry'), null, 'Slack retries');
  });
});
