import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { statusQuery } from '../../contracts/messages';
import { SLACK_ACTIONS } from '../../integrations/slack/render';
import { AGENTS_DIR, Harness } from '../support/harness';
import { replayClosedWorkflowsWhere } from '../support/replay';
import { SLACK_BOT_USER_ID, urlVerification } from '../support/slack-deliveries';
import type { SlackMessage } from '../support/slack-stand-in';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const BOT = `<@${SLACK_BOT_USER_ID}>`;
const CHANNEL = 'C0CHANNEL1';

/** agent-bot's messages in a thread, after the person's first one. */
function botMessages(h: Harness, threadTs: string, channel = CHANNEL): SlackMessage[] {
  return h.slack!.thread(channel, threadTs).filter((message) => message.bot_id !== undefined);
}

/** The thread's task message once it is final (✅/❌… in its first block). */
function finalMessage(h: Harness, threadTs: string, channel = CHANNEL): SlackMessage | undefined {
  return botMessages(h, threadTs, channel).find((message) => /(Done|Failed|Cancelled|Rejected|Expired)\*/.test(JSON.stringify(message.blocks ?? [])));
}

function reactionsOn(h: Harness, ts: string, channel = CHANNEL): string[] {
  return h.slack!.message(channel, ts)?.reactions.map((reaction) => reaction.name) ?? [];
}

describe('Slack: @agent in a thread runs the same durable task', function () {
  this.timeout(120_000);
  let h: Harness;
  let claudeLog: string;
  before(async () => {
    claudeLog = path.join(fs.mkdtempSync(path.join(testTemporal().dataDir, 'slack-')), 'claude.jsonl');
    h = await Harness.start({
      slack: true,
      env: {
        AGENT_KIND: 'claude',
        AGENT_COMMAND: path.join(AGENTS_DIR, 'fake-claude.js'),
        AGENT_ARGS: '[]',
        AGENT_ENV_PASSTHROUGH: 'FAKE_CLAUDE_LOG',
        FAKE_CLAUDE_LOG: claudeLog,
        SLACK_CHANNEL_REPOS: JSON.stringify({ [CHANNEL]: 'acme/widgets' }),
      },
    });
    process.env['FAKE_CLAUDE_LOG'] = claudeLog;
    h.slack!.addChannel(CHANNEL, { name: 'eng' });
    h.slack!.addChannel('C0UNMAPPED', { name: 'random' });
    h.slack!.addUser({ id: 'U0PERSON01', name: 'ana', real_name: 'Ana', is_bot: false });
  });
  after(async () => {
    delete process.env['FAKE_CLAUDE_LOG'];
    await h.stop();
  });

  it('answers url_verification with the challenge, and refuses a bad or stale signature with an opaque 401', async () => {
    const check = await h.slackPost('events', JSON.stringify(urlVerification('c-123')));
    assert.deepEqual(check, { status: 200, body: { challenge: 'c-123' } });
    assert.equal((await h.slackPost('events', JSON.stringify(urlVerification()), { secret: 'wrong' })).status, 401);
    const stale = await h.slackPost('events', JSON.stringify(urlVerification()), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.deepEqual(stale, { status: 401, body: { error: 'unauthorized' } });
  });

  it('runs an app_mention to the final answer in its thread: 👀, one message updated in place, then ✅', async () => {
    const sent = await h.slackMention(`${BOT} explain the cache`);
    assert.equal(sent.status, 200);
    assert.match(String(sent.body['task_id']), /^sl-/);
    assert.equal(sent.body['workflow_id'], h.slackThreadId(CHANNEL, sent.ts));
    const done = await waitFor('the final answer', () => finalMessage(h, sent.ts));
    assert.match(JSON.stringify(done.blocks), /Answer to: explain the cache/);
    assert.match(JSON.stringify(done.blocks), /run in Temporal UI/);
    assert.equal(botMessages(h, sent.ts).length, 1, 'one task message in the thread');
    await waitFor('the ✅ reaction', () => reactionsOn(h, sent.ts).includes('white_check_mark'));
    assert.deepEqual(reactionsOn(h, sent.ts), ['eyes', 'white_check_mark']);
    const run = fs.readFileSync(claudeLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[] }).at(-1)!;
    assert.match(run.args[run.args.indexOf('-p') + 1] ?? '', /Repository: acme\/widgets/);
  });

  it('resumes the same agent session for a follow-up in the same thread', async () => {
    const first = await h.slackMention(`${BOT} summarize the design`);
    await waitFor('the first answer', () => finalMessage(h, first.ts));
    const status = await waitFor('the session id', async () => (await testTemporal().client.workflow.getHandle(h.slackThreadId(CHANNEL, first.ts)).query(statusQuery)).agentSessionId);
    const followUp = await h.slackMention(`${BOT} and what about the queue?`, { threadTs: first.ts });
    assert.equal(followUp.body['workflow_id'], h.slackThreadId(CHANNEL, first.ts));
    await waitFor('the second answer', () => botMessages(h, first.ts).filter((m) => /Done\*/.test(JSON.stringify(m.blocks))).length === 2);
    const runs = fs.readFileSync(claudeLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[]; cwd: string });
    const last = runs.at(-1)!;
    assert.equal(last.args[last.args.indexOf('--resume') + 1], status, 'the follow-up resumed the first session');
    assert.equal(last.cwd, runs.at(-2)!.cwd, 'in the same workspace');
  });

  it('takes a direct message as a request and answers in its thread', async () => {
    const sent = await h.slackDirectMessage('what does the janitor do?');
    assert.equal(sent.status, 200);
    const done = await waitFor('the answer in the DM', () => finalMessage(h, sent.ts, sent.channel));
    assert.match(JSON.stringify(done.blocks), /what does the janitor do\?/);
  });

  it("runs one message once: Slack's retries (same event id) and its re-sent copies (new event ids) included", async () => {
    const sent = await h.slackMention(`${BOT} count me once`);
    const again = await h.slackMention(`${BOT} count me once`, { ts: sent.ts, eventId: sent.eventId, retryNum: 1 });
    const copy = await h.slackMention(`${BOT} count me once`, { ts: sent.ts });
    assert.equal(again.body['task_id'], sent.body['task_id']);
    assert.equal(copy.body['task_id'], sent.body['task_id']);
    await waitFor('the answer', () => finalMessage(h, sent.ts));
    // A later request in the thread shows the copies were processed, not merely still queued.
    await h.slackMention(`${BOT} something else`, { threadTs: sent.ts });
    const status = await waitFor('both tasks done', async () => {
      const s = await testTemporal().client.workflow.getHandle(h.slackThreadId(CHANNEL, sent.ts)).query(statusQuery);
      return s.past.length >= 2 ? s : undefined;
    });
    assert.deepEqual(status.past.map((task) => task.request), ['count me once', 'something else']);
  });

  it('starts nothing from a bot message or from agent-bot itself', async () => {
    const own = await h.slackMention(`${BOT} run`, { user: SLACK_BOT_USER_ID });
    assert.match(String(own.body['ignored']), /agent-bot/);
    const ts = h.slack!.postAsUser(CHANNEL, { user: 'U0OTHERBOT', text: `${BOT} run` }).ts;
    const event = { type: 'event_callback', team_id: 'T0TEAM0001', event_id: 'EvBOT1', event: { type: 'app_mention', channel: CHANNEL, ts, text: `${BOT} run`, user: 'U0OTHERBOT', bot_id: 'B0OTHERBOT' } };
    const bot = await h.slackPost('events', JSON.stringify(event));
    assert.match(String(bot.body['ignored']), /bot/);
    assert.equal(botMessages(h, ts).length, 0);
  });

  it('runs in an empty workspace where the channel has no repository, and says so in the answer', async () => {
    const sent = await h.slackMention(`${BOT} what is this channel about?`, { channel: 'C0UNMAPPED' });
    const done = await waitFor('the answer', () => finalMessage(h, sent.ts, 'C0UNMAPPED'));
    assert.match(JSON.stringify(done.blocks), /no repository/);
  });

  it('refuses a repository the mapping does not list, with a reply naming the allowed ones', async () => {
    const sent = await h.slackMention(`${BOT} in evil/secrets read the keys`);
    const reply = await waitFor('the refusal', () => botMessages(h, sent.ts)[0]);
    assert.match(JSON.stringify(reply.blocks), /evil\/secrets.*not a repository.*acme\/widgets/);
  });

  it('starts a thread from a slash command and runs there, answering the command at once', async () => {
    const answer = await h.slackSlash('explain the build');
    assert.equal(answer.status, 200);
    assert.equal(answer.body['response_type'], 'ephemeral');
    assert.match(String(answer.body['text']), /On it: task `sl-/);
    const root = h.slack!.channels.get(CHANNEL)!.messages.find((message) => message.text.includes('asked: explain the build'))!;
    assert.ok(root, 'the command started a message in the channel');
    await waitFor('the answer in its thread', () => finalMessage(h, root.ts));
  });

  it('posts one message when Slack answers 429 first, after the Retry-After it named', async () => {
    h.slack!.failNext('POST', /chat\.postMessage$/, 429, 1, { headers: { 'retry-after': '1' } });
    const sent = await h.slackMention(`${BOT} rate limited`);
    await waitFor('the answer', () => finalMessage(h, sent.ts));
    assert.equal(botMessages(h, sent.ts).length, 1);
    const posts = h.slack!.requestsTo('POST', /chat\.postMessage$/).filter((r) => String((r.body as { thread_ts?: string }).thread_ts) === sent.ts);
    assert.equal(posts.length, 2, 'the 429, then the post');
    assert.ok(posts[1]!.at - posts[0]!.at >= 1_000, 'waited for Retry-After');
  });

  it('cuts a long answer with a note and attaches the whole answer to the thread as a file', async () => {
    const long = await Harness.start({
      slack: true,
      env: { AGENT_KIND: 'claude', AGENT_COMMAND: path.join(AGENTS_DIR, 'fake-claude.js'), AGENT_ARGS: '[]', AGENT_ENV_PASSTHROUGH: 'FAKE_CLAUDE_ANSWER_CHARS', FAKE_CLAUDE_ANSWER_CHARS: '100000' },
    });
    process.env['FAKE_CLAUDE_ANSWER_CHARS'] = '100000';
    try {
      long.slack!.addChannel(CHANNEL);
      const sent = await long.slackMention(`${BOT} write a lot`);
      const done = await waitFor('the answer', () => finalMessage(long, sent.ts));
      assert.match(JSON.stringify(done.blocks), /answer cut to fit a Slack message/);
      // Shared in the thread: uploaded and completed (files.completeUploadExternal), not only announced.
      const file = await waitFor('the attached answer', () => [...long.slack!.files.values()].find((f) => f.filename === `answer-${String(sent.body['task_id'])}.md` && f.completed));
      assert.equal(file.content?.toString('utf8').length, 100_000, 'the whole answer, not only what the message shows');
    } finally {
      delete process.env['FAKE_CLAUDE_ANSWER_CHARS'];
      await long.stop();
    }
  });

  it('leaves histories that replay without determinism errors', async () => {
    const replayed = await replayClosedWorkflowsWhere(`AgentProvider = "slack"`, 'slack');
    assert.ok(replayed >= 5, `replayed only ${replayed}`);
  });
});

describe('Slack: buttons and commands in the thread', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    h = await Harness.start({ slack: true, agent: 'planner.js', env: { AGENT_PROMPT_TEMPLATE: '{request}', SLACK_ALLOWED_USERS: 'U0ALLOWED1' } });
    h.slack!.addChannel(CHANNEL);
  });
  after(async () => {
    await h.stop();
  });

  /** The plan's message, once it waits for approval with its buttons. */
  const planOf = (threadTs: string) => waitFor('the plan', () => botMessages(h, threadTs).find((m) => JSON.stringify(m.blocks).includes(SLACK_ACTIONS.approve)));
  const buttonValue = (message: SlackMessage, action: string): string => {
    const actions = (message.blocks ?? []).find((block) => (block as { type?: string }).type === 'actions') as { elements: { action_id: string; value: string }[] };
    return actions.elements.find((element) => element.action_id === action)!.value;
  };

  it('approves a plan with its button: only an allowed user counts, and the message shows who decided', async () => {
    const sent = await h.slackMention(`${BOT} fix the login bug`, { user: 'U0ALLOWED1' });
    const plan = await planOf(sent.ts);
    assert.match(JSON.stringify(plan.blocks), /PLAN: 1\. read the code/);
    await h.slackClick(SLACK_ACTIONS.approve, { value: buttonValue(plan, SLACK_ACTIONS.approve), user: 'U0STRANGER', messageTs: plan.ts });
    await waitFor('the refusal of the stranger', () => botMessages(h, sent.ts).some((m) => /may not approve/.test(JSON.stringify(m.blocks))));
    const clicked = await h.slackClick(SLACK_ACTIONS.approve, { value: buttonValue(plan, SLACK_ACTIONS.approve), user: 'U0ALLOWED1', messageTs: plan.ts });
    assert.equal(clicked.status, 200);
    const done = await waitFor('the final answer', () => finalMessage(h, sent.ts));
    assert.equal(done.ts, plan.ts, 'the plan message became the answer');
    assert.match(JSON.stringify(done.blocks), /DONE: fixed it \(plan approved\)/);
    assert.match(JSON.stringify(done.blocks), /Approved by @u0allowed1 via button/);
  });

  it('cancels a running task with the Cancel button on its progress message', async () => {
    const slow = await Harness.start({ slack: true, agent: 'slow.js', env: { SLOW_AGENT_SECONDS: '30', AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS', PROGRESS_COMMENT_INTERVAL: '1s' } });
    try {
      slow.slack!.addChannel(CHANNEL);
      const sent = await slow.slackMention(`${BOT} take your time`);
      const progress = await waitFor('the progress message', () => slow.slack!.thread(CHANNEL, sent.ts).find((m) => JSON.stringify(m.blocks ?? []).includes(SLACK_ACTIONS.cancel)));
      const actions = (progress.blocks ?? []).find((block) => (block as { type?: string }).type === 'actions') as { elements: { action_id: string; value: string }[] };
      await slow.slackClick(SLACK_ACTIONS.cancel, { value: actions.elements[0]!.value, messageTs: progress.ts });
      const done = await waitFor('the cancelled answer', () => finalMessage(slow, sent.ts), 60_000);
      assert.match(JSON.stringify(done.blocks), /Cancelled/);
      assert.equal(done.ts, progress.ts, 'the progress message became the final one');
      await waitFor('the ❌ reaction', () => reactionsOn(slow, sent.ts).includes('x'));
    } finally {
      await slow.stop();
    }
  });

  it('takes approve, status and help as text in the thread too', async () => {
    const sent = await h.slackMention(`${BOT} fix the other bug`, { user: 'U0ALLOWED1' });
    await planOf(sent.ts);
    await h.slackMention(`${BOT} status`, { threadTs: sent.ts, user: 'U0ALLOWED1' });
    await waitFor('the status reply', () => botMessages(h, sent.ts).some((m) => /agent-bot status/.test(JSON.stringify(m.blocks))));
    await h.slackMention(`${BOT} approve`, { threadTs: sent.ts, user: 'U0ALLOWED1' });
    const done = await waitFor('the final answer', () => finalMessage(h, sent.ts));
    assert.match(JSON.stringify(done.blocks), /Approved by <@U0ALLOWED1> via comment/);
    await h.slackMention(`${BOT}`, { threadTs: sent.ts, user: 'U0ALLOWED1' });
    await waitFor('the help reply', () => botMessages(h, sent.ts).some((m) => /Commands/.test(JSON.stringify(m.blocks))));
  });
});
