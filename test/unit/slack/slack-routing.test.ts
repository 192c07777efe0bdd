import assert from 'node:assert/strict';
import { DEFAULT_COMMANDS } from '../../../config/schema';
import { answerSections, renderSlackTask, SECTION_TEXT_LIMIT, SLACK_ACTIONS } from '../../../integrations/slack/render';
import { routeSlackAction, routeSlackEvent, type SlackRoutingPolicy } from '../../../integrations/slack/route-event';
import { signSlackRequest, verifySlackRequest } from '../../../integrations/slack/signature';
import { requestAfterMention, slackToPlainText } from '../../../integrations/slack/text';
import { appMentionEvent, blockActionsForm, directMessageEvent, SLACK_BOT_USER_ID, SLACK_TEAM_ID } from '../../support/slack-deliveries';

// Slack's published example: https://docs.slack.dev/authentication/verifying-requests-from-slack
const VECTOR = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
    '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands' +
    '%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const AT_VECTOR_TIME = 1531420618 * 1000 + 30_000;

const POLICY: SlackRoutingPolicy = { mention: '@agent', commands: DEFAULT_COMMANDS, defaultCommand: 'ask', botUserId: SLACK_BOT_USER_ID, allowedUsers: [], channelRepos: { C0CHANNEL1: 'acme/widgets', eng: 'acme/engine' } };
const NOW = new Date('2026-11-30T12:00:00Z');

describe('Slack request signatures', () => {
  it("reproduces Slack's documented signing example", () => {
    assert.equal(signSlackRequest(VECTOR.secret, VECTOR.timestamp, VECTOR.body), VECTOR.signature);
    assert.equal(verifySlackRequest([VECTOR.secret], Buffer.from(VECTOR.body), VECTOR.timestamp, VECTOR.signature, AT_VECTOR_TIME), true);
  });

  it('accepts either secret during a rotation, and refuses a tampered body or a wrong secret', () => {
    assert.equal(verifySlackRequest(['old-secret', VECTOR.secret], Buffer.from(VECTOR.body), VECTOR.timestamp, VECTOR.signature, AT_VECTOR_TIME), true);
    assert.equal(verifySlackRequest([VECTOR.secret], Buffer.from(`${VECTOR.body}x`), VECTOR.timestamp, VECTOR.signature, AT_VECTOR_TIME), false);
    assert.equal(verifySlackRequest(['another'], Buffer.from(VECTOR.body), VECTOR.timestamp, VECTOR.signature, AT_VECTOR_TIME), false);
    assert.equal(verifySlackRequest([], Buffer.from(VECTOR.body), VECTOR.timestamp, VECTOR.signature, AT_VECTOR_TIME), false);
  });

  it('refuses a timestamp more than five minutes off, either way, and a malformed one', () => {
    const ts = Number(VECTOR.timestamp) * 1000;
    assert.equal(verifySlackRequest([VECTOR.secret], Buffer.from(VECTOR.body), VECTOR.timestamp, VECTOR.signature, ts + 5 * 60_000 + 1_000), false);
    assert.equal(verifySlackRequest([VECTOR.secret], Buffer.from(VECTOR.body), VECTOR.timestamp, VECTOR.signature, ts - 5 * 60_000 - 1_000), false);
    assert.equal(verifySlackRequest([VECTOR.secret], Buffer.from(VECTOR.body), 'soon', VECTOR.signature, AT_VECTOR_TIME), false);
    assert.equal(verifySlackRequest([VECTOR.secret], Buffer.from(VECTOR.body), undefined, VECTOR.signature, AT_VECTOR_TIME), false);
  });
});

describe('Slack text', () => {
  it("turns Slack's markup back into what the person wrote", () => {
    assert.equal(slackToPlainText('ask <@U123|ana> in <#C9|eng> about <https://x.io/a?b=1&amp;c=2|the doc> &amp; <https://y.io> &lt;3 <!here>'), 'ask @ana in #eng about the doc (https://x.io/a?b=1&c=2) & https://y.io <3 @here');
  });

  it('takes the request after the bot mention, or before it when nothing follows, and nothing when absent', () => {
    assert.equal(requestAfterMention(`<@${SLACK_BOT_USER_ID}> review <https://github.com/acme/widgets/pull/1|this PR>`, SLACK_BOT_USER_ID), 'review this PR (https://github.com/acme/widgets/pull/1)');
    assert.equal(requestAfterMention(`can you look at the cache? <@${SLACK_BOT_USER_ID}>`, SLACK_BOT_USER_ID), 'can you look at the cache?');
    assert.equal(requestAfterMention(`<@${SLACK_BOT_USER_ID}>`, SLACK_BOT_USER_ID), '');
    assert.equal(requestAfterMention('<@U0SOMEONE> review', SLACK_BOT_USER_ID), undefined);
  });
});

describe('routeSlackEvent', () => {
  const mention = (text: string, extra: Partial<{ channel: string; user: string; ts: string; threadTs: string }> = {}) =>
    appMentionEvent({ text, channel: extra.channel ?? 'C0CHANNEL1', user: extra.user ?? 'U0PERSON01', ts: extra.ts ?? '1700000000.000100', ...(extra.threadTs ? { threadTs: extra.threadTs } : {}) });

  it('answers url_verification with the challenge', () => {
    assert.deepEqual(routeSlackEvent({ type: 'url_verification', challenge: 'abc', token: 'x' }, POLICY, NOW), { kind: 'challenge', challenge: 'abc' });
  });

  it('turns an app_mention into a command on the thread of that message, its identity the message (team, channel, ts)', () => {
    const routed = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> explain the cache &amp; the queue`), POLICY, NOW);
    assert.equal(routed.kind, 'command');
    if (routed.kind !== 'command') return;
    assert.equal(routed.thread.key, `${SLACK_TEAM_ID}/C0CHANNEL1/1700000000.000100`);
    assert.equal(routed.thread.repo, 'acme/widgets');
    assert.equal(routed.command.request, 'explain the cache & the queue');
    assert.equal(routed.command.messageKey, `slack:${SLACK_TEAM_ID}/C0CHANNEL1/1700000000.000100`);
    assert.equal(routed.command.messageId, '1700000000.000100');
    assert.match(routed.command.taskId, /^sl-/);
    assert.equal(routed.command.action, 'run');
  });

  it("links the thread under the workspace URL auth.test answered, and in Slack's web client without it", () => {
    const url = (policy: SlackRoutingPolicy): string | undefined => {
      const routed = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> run`, { ts: '1700000000.000200', threadTs: '1700000000.000100' }), policy, NOW);
      return routed.kind === 'command' ? routed.thread.url : undefined;
    };
    assert.equal(url({ ...POLICY, workspaceUrl: 'https://acme.slack.com/' }), 'https://acme.slack.com/archives/C0CHANNEL1/p1700000000000100');
    assert.equal(url(POLICY), `https://app.slack.com/client/${SLACK_TEAM_ID}/C0CHANNEL1/thread/C0CHANNEL1-1700000000.000100`);
  });

  it('puts a mention inside a thread on that thread (thread_ts), and one message keeps its task id whatever its event id', () => {
    const a = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> again`, { ts: '1700000000.000200', threadTs: '1700000000.000100' }), POLICY, NOW);
    const again = routeSlackEvent({ ...mention(`<@${SLACK_BOT_USER_ID}> again`, { ts: '1700000000.000200', threadTs: '1700000000.000100' }), event_id: 'EvOTHER' }, POLICY, NOW);
    assert.ok(a.kind === 'command' && again.kind === 'command');
    assert.equal(a.thread.key, `${SLACK_TEAM_ID}/C0CHANNEL1/1700000000.000100`);
    assert.equal(a.command.taskId, again.command.taskId);
    assert.notEqual(a.command.deliveryId, again.command.deliveryId);
  });

  it('never starts anything from a bot message, an edit, or agent-bot itself', () => {
    const bot = mention(`<@${SLACK_BOT_USER_ID}> run`);
    (bot['event'] as Record<string, unknown>)['bot_id'] = 'B0OTHER';
    assert.equal(routeSlackEvent(bot, POLICY, NOW).kind, 'ignored');
    const edited = mention(`<@${SLACK_BOT_USER_ID}> run`);
    (edited['event'] as Record<string, unknown>)['subtype'] = 'message_changed';
    assert.equal(routeSlackEvent(edited, POLICY, NOW).kind, 'ignored');
    assert.equal(routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> run`, { user: SLACK_BOT_USER_ID }), POLICY, NOW).kind, 'ignored');
  });

  it('takes a DM as a request without a mention, and ignores channel messages that are not mentions', () => {
    const dm = routeSlackEvent(directMessageEvent({ text: 'look at the flaky test', channel: 'D0DIRECT01', user: 'U0PERSON01', ts: '1700000000.000300' }), POLICY, NOW);
    assert.ok(dm.kind === 'command');
    assert.equal(dm.command.request, 'look at the flaky test');
    assert.equal(dm.thread.kind, 'Slack direct message');
    const channelMessage = directMessageEvent({ text: 'hello', channel: 'C0CHANNEL1', user: 'U0PERSON01', ts: '1' + '700000000.000400' });
    (channelMessage['event'] as Record<string, unknown>)['channel_type'] = 'channel';
    assert.equal(routeSlackEvent(channelMessage, POLICY, NOW).kind, 'ignored');
  });

  it('keeps people outside SLACK_ALLOWED_USERS out, but lets their approvals reach the task (which refuses them)', () => {
    const policy = { ...POLICY, allowedUsers: ['U0ALLOWED1'] };
    assert.equal(routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> run it`), policy, NOW).kind, 'ignored');
    const approval = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> approve`), policy, NOW);
    assert.ok(approval.kind === 'command' && approval.signalOnly === true && approval.command.trusted === false);
  });

  it('maps a channel by id or name, leaves an unmapped one without a repository, and refuses a repository outside the mapping', () => {
    const byName = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> run`, { channel: 'C0ENGINE01' }), POLICY, NOW, { name: 'eng' });
    assert.ok(byName.kind === 'command' && byName.thread.repo === 'acme/engine');
    const unmapped = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> run`, { channel: 'C0OTHER001' }), POLICY, NOW, { name: 'random' });
    assert.ok(unmapped.kind === 'command' && unmapped.thread.repo === undefined);
    const allowed = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> in acme/engine review the cache`, { channel: 'C0OTHER001' }), POLICY, NOW);
    assert.ok(allowed.kind === 'command' && allowed.command.repo === 'acme/engine' && allowed.command.request === 'review the cache');
    const refused = routeSlackEvent(mention(`<@${SLACK_BOT_USER_ID}> in evil/secrets dump it`), POLICY, NOW);
    assert.ok(refused.kind === 'command' && refused.command.action === 'unknown');
    assert.match(refused.command.helpText ?? '', /`evil\/secrets` is not a repository.*`acme\/widgets`, `acme\/engine`/);
  });
});

describe('routeSlackAction', () => {
  const task = `slack:${SLACK_TEAM_ID}/C0CHANNEL1/1700000000.000100/task/sl-x`;
  const payloadOf = (form: string) => new URLSearchParams(form).get('payload') ?? undefined;

  it('turns Approve and Reject into a decision for the task named by the button, for the task to check', () => {
    const routed = routeSlackAction(payloadOf(blockActionsForm({ actionId: SLACK_ACTIONS.approve, value: task, user: 'U0PERSON01', channel: 'C0CHANNEL1', messageTs: '1700000000.000500' })), POLICY);
    assert.deepEqual(routed, { kind: 'decision', taskWorkflowId: task, decision: { decision: 'approve', by: 'u0person01', byId: 'U0PERSON01', via: 'button', trusted: false } });
  });

  it('turns Cancel into a cancel, and refuses a button pointing at another channel’s task', () => {
    assert.equal(routeSlackAction(payloadOf(blockActionsForm({ actionId: SLACK_ACTIONS.cancel, value: task, user: 'U0PERSON01', channel: 'C0CHANNEL1', messageTs: '1' })), POLICY).kind, 'cancel');
    assert.equal(routeSlackAction(payloadOf(blockActionsForm({ actionId: SLACK_ACTIONS.cancel, value: task, user: 'U0PERSON01', channel: 'C0ELSEWHER', messageTs: '1' })), POLICY).kind, 'ignored');
    assert.equal(routeSlackAction(undefined, POLICY).kind, 'invalid');
    assert.equal(routeSlackAction('{not json', POLICY).kind, 'invalid');
  });
});

describe('Slack rendering', () => {
  const header = { taskId: 'sl-1', request: 'explain the cache', requester: 'U0PERSON01', runUrl: 'http://ui/run', mention: '@agent' };

  it('never puts more than 3,000 characters in a section, and keeps code fences balanced in every part', () => {
    const markdown = Array.from({ length: 300 }, (_, i) => (i % 40 === 5 ? '```' : `line ${i} ${'x'.repeat(40)}`)).join('\n');
    const { sections, cut } = answerSections(markdown);
    assert.equal(cut, true);
    for (const block of sections) {
      const text = (block as { text: { text: string } }).text.text;
      assert.ok(text.length <= SECTION_TEXT_LIMIT, `${text.length}`);
      assert.equal((text.match(/```/g) ?? []).length % 2, 0, text.slice(0, 80));
    }
  });

  it('shows a long answer cut with a note and hands the whole answer over as an attachment', () => {
    const answer = `# Findings\n\n${'The cache misses because the key includes a timestamp. '.repeat(400)}`;
    const message = renderSlackTask(header, 'wf', { phase: 'final', outcome: 'succeeded', text: answer, durationMs: 5_000, usage: { costUsd: 0.12 } });
    assert.match(JSON.stringify(message.blocks), /answer cut to fit a Slack message/);
    assert.equal(message.attachment?.content, answer);
    assert.equal(message.attachment?.filename, 'answer-sl-1.md');
    assert.ok(message.text.length <= 300);
  });

  it('puts Approve and Reject on a plan and Cancel on progress, each naming the task workflow', () => {
    const plan = JSON.stringify(renderSlackTask(header, 'wf-1', { phase: 'plan', plan: '1. read\n2. fix', deadline: '2026-12-07T00:00:00Z' }).blocks);
    assert.ok(plan.includes(SLACK_ACTIONS.approve) && plan.includes(SLACK_ACTIONS.reject) && plan.includes('"value":"wf-1"'));
    const working = JSON.stringify(renderSlackTask(header, 'wf-1', { phase: 'working', stage: 'tool: Bash', elapsedMs: 61_000 }).blocks);
    assert.ok(working.includes(SLACK_ACTIONS.cancel) && working.includes('1m 1s so far'));
  });
});
