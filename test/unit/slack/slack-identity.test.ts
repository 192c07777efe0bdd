import assert from 'node:assert/strict';
import { createSlackClient } from '../../../integrations/slack/client';
import { createSlackIdentity, SlackIdentityError, type SlackIdentitySource } from '../../../integrations/slack/identity';
import { SlackStandIn } from '../../support/slack-stand-in';

describe('Slack identity: SLACK_BOT_USER_ID, else auth.test', () => {
  let slack: SlackStandIn;
  let clock: number;
  let logged: { message: string; level: string | undefined }[];

  const source = (options: { botUserId?: string; token?: string } = {}): SlackIdentitySource =>
    createSlackIdentity({
      client: createSlackClient({ token: options.token ?? slack.token, apiUrl: `${slack.url}/api/` }),
      botUserId: options.botUserId,
      log: (message, _meta, level) => void logged.push({ message, level }),
      now: () => clock,
    });
  const authTests = () => slack.requestsTo('POST', /^\/api\/auth\.test$/).length;
  const identityError = (code: string, transient: boolean) => (error: unknown) => error instanceof SlackIdentityError && error.code === code && error.transient === transient;

  beforeEach(async () => {
    slack = await new SlackStandIn().start();
    clock = 1_000_000;
    logged = [];
  });
  afterEach(() => slack.stop());

  it('asks auth.test once and keeps its answer: the user id and the workspace URL', async () => {
    const identity = source();
    assert.deepEqual(await identity.current(), { botUserId: slack.bot.user_id, workspaceUrl: 'https://acme.slack.com/' });
    await identity.current();
    assert.equal(authTests(), 1);
  });

  it('keeps a refusal for 5 minutes and a transient failure for 10 s before asking again', async () => {
    const refused = source();
    slack.refuseToken('account_inactive');
    await assert.rejects(refused.current(), identityError('account_inactive', false));
    clock += 5 * 60_000;
    await assert.rejects(refused.current(), identityError('account_inactive', false));
    assert.equal(authTests(), 2, 'asked again after 5 minutes');
    slack.acceptToken();
    clock += 4 * 60_000;
    await assert.rejects(refused.current(), identityError('account_inactive', false));
    assert.equal(authTests(), 2, 'not before');
    clock += 60_000;
    assert.equal((await refused.current()).botUserId, slack.bot.user_id);

    const flaky = source();
    slack.failNext('POST', /^\/api\/auth\.test$/, 429, 1, { headers: { 'retry-after': '1' } });
    await assert.rejects(flaky.current(), identityError('ratelimited', true));
    clock += 9_000;
    await assert.rejects(flaky.current(), identityError('ratelimited', true));
    clock += 1_000;
    assert.equal((await flaky.current()).botUserId, slack.bot.user_id);
    assert.deepEqual(logged.map((line) => line.level), ['error', 'info', 'warn', 'info'], 'each failure logged once however often it is met, and once when Slack answers again');
  });

  it('with SLACK_BOT_USER_ID, never waits for auth.test, and adds the workspace URL once it has answered', async () => {
    slack.refuseToken('invalid_auth');
    const identity = source({ botUserId: 'U0CONFIGURED' });
    await identity.check();
    assert.deepEqual(await identity.current(), { botUserId: 'U0CONFIGURED' });
    slack.acceptToken();
    clock += 5 * 60_000;
    await identity.check();
    assert.deepEqual(await identity.current(), { botUserId: 'U0CONFIGURED', workspaceUrl: 'https://acme.slack.com/' });
    assert.ok(logged.some((line) => line.level === 'warn' && /SLACK_BOT_USER_ID is not the token's bot user/.test(line.message)), "a SLACK_BOT_USER_ID that is not the token's user is pointed out");
  });

  it('at start, logs a refused token once, naming it, and never rejects', async () => {
    const identity = source({ token: 'xoxb-revoked' });
    await identity.check();
    await assert.rejects(identity.current(), (error: unknown) => error instanceof SlackIdentityError && /SLACK_BOT_TOKEN \(auth\.test answered invalid_auth\)/.test(error.message));
    assert.equal(logged.length, 1);
  });
});
