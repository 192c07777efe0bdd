import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { statusQuery } from '../../contracts/messages';
import { parseCustomId } from '../../integrations/discord/render';
import { pingInteraction, signDiscordRequest } from '../support/discord-deliveries';
import type { DiscordMessage } from '../support/discord-stand-in';
import { AGENTS_DIR, DISCORD_CHANNEL_ID, Harness, type DiscordAnswer } from '../support/harness';
import { replayClosedWorkflowsWhere } from '../support/replay';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const FINAL = /^(✅|❌|🛑|🚫|⌛) \*\*(Done|Failed|Cancelled|Rejected|Expired)\*\*/;

/** The interaction's response in the stand-in (the message Discord made for the deferred answer). */
function responseOf(h: Harness, answer: DiscordAnswer): DiscordMessage {
  const known = h.discord!.interactions.get(answer.interaction.token);
  const message = known?.originalId === undefined ? undefined : h.discord!.message(known.originalId);
  if (message === undefined) throw new Error('the interaction has no response message');
  return message;
}

/** The custom ids of a message's buttons. */
function buttons(message: DiscordMessage): string[] {
  return (message.components as { components: { custom_id: string }[] }[]).flatMap((row) => row.components.map((button) => button.custom_id));
}

describe('Discord: /agent runs the same durable task', function () {
  this.timeout(120_000);
  let h: Harness;
  let claudeLog: string;
  before(async () => {
    claudeLog = path.join(fs.mkdtempSync(path.join(testTemporal().dataDir, 'discord-')), 'claude.jsonl');
    h = await Harness.start({
      discord: true,
      env: {
        AGENT_KIND: 'claude',
        AGENT_COMMAND: path.join(AGENTS_DIR, 'fake-claude.js'),
        AGENT_ARGS: '[]',
        AGENT_ENV_PASSTHROUGH: 'FAKE_CLAUDE_LOG',
        FAKE_CLAUDE_LOG: claudeLog,
        DISCORD_CHANNEL_REPOS: JSON.stringify({ [DISCORD_CHANNEL_ID]: 'acme/widgets' }),
      },
    });
    process.env['FAKE_CLAUDE_LOG'] = claudeLog;
    h.discord!.addChannel(DISCORD_CHANNEL_ID, { name: 'general' });
  });
  after(async () => {
    delete process.env['FAKE_CLAUDE_LOG'];
    await h.stop();
  });

  it('answers PING with PONG, and refuses bad signatures, a tampered body, a missing header and a replay with an exact 401', async () => {
    const ping = await h.discordDeliver(pingInteraction({ applicationId: h.discord!.applicationId }));
    assert.deepEqual([ping.status, ping.body], [200, { type: 1 }]);
    const interaction = pingInteraction({ applicationId: h.discord!.applicationId });
    const zeros = await h.discordDeliver(interaction, { respond: false, sign: () => ({ 'x-signature-ed25519': '0'.repeat(128) }) });
    assert.deepEqual([zeros.status, zeros.body], [401, { error: 'unauthorized' }]);
    const otherBody = await h.discordDeliver(interaction, { respond: false, sign: (body) => ({ 'x-signature-ed25519': signDiscordRequest(h.discordKeys!.privateKey, '1700000000', `${body} `), 'x-signature-timestamp': '1700000000' }) });
    assert.equal(otherBody.status, 401, 'a signature of another body');
    const response = await fetch(`${h.gateway.url}/webhooks/discord`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(interaction) });
    assert.equal(response.status, 401, 'no signature headers at all');
    const replayed = await h.discordDeliver({ ...interaction, id: '1200000000000000002' });
    assert.equal(replayed.status, 401, 'a validly signed interaction made long ago is a replay');
  });

  it('runs /agent in a channel to the final answer: a deferred response within 3 s, edited in place, no bot token needed', async () => {
    const started = Date.now();
    const sent = await h.discordCommand('explain the cache');
    assert.ok(Date.now() - started < 3_000, `answered in ${Date.now() - started} ms`);
    assert.deepEqual([sent.status, sent.body], [200, { type: 5 }]);
    const response = await waitFor('the final answer', () => FINAL.test(responseOf(h, sent).content) && responseOf(h, sent));
    assert.match(response.content, /✅ \*\*Done\*\* · @alice asked: \*explain the cache\*[\s\S]*Answer to: explain the cache/);
    assert.match(response.content, new RegExp(`task \`dc-${sent.interaction.id}\``));
    assert.deepEqual(response.components, [], 'no buttons on an answer');
    assert.equal(h.discord!.channels.get(DISCORD_CHANNEL_ID)!.messages.length, 1, 'one message in the channel: the response');
    assert.ok(h.discord!.requestsTo('PATCH', /@original$/).every((request) => request.authorization === undefined));
    const status = await testTemporal().client.workflow.getHandle(h.discordConversationId(sent.interaction.id)).query(statusQuery);
    assert.equal(status.repo, 'acme/widgets');
    const run = fs.readFileSync(claudeLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[] }).at(-1)!;
    assert.match(run.args[run.args.indexOf('-p') + 1] ?? '', /Repository: acme\/widgets/);
  });

  it('runs a duplicate delivery of one interaction once', async () => {
    const sent = await h.discordCommand('count me once');
    const again = await h.discordDeliver(sent.interaction, { respond: false });
    assert.deepEqual([again.status, again.body], [200, { type: 5 }]);
    await waitFor('the answer', () => FINAL.test(responseOf(h, sent).content));
    // Both deliveries were recorded before the gateway answered them: once the task is in the past, the copy is settled too.
    const conversation = testTemporal().client.workflow.getHandle(h.discordConversationId(sent.interaction.id));
    const status = await waitFor('the task in the conversation\'s past', async () => {
      const now = await conversation.query(statusQuery);
      return now.past.length > 0 && now.phase === 'idle' ? now : undefined;
    });
    assert.deepEqual(status.past.map((task) => task.taskId), [`dc-${sent.interaction.id}`]);
    assert.deepEqual(status.queued, []);
    const runs = fs.readFileSync(claudeLog, 'utf8').split('\n').filter((line) => line.includes('count me once'));
    assert.equal(runs.length, 1, 'the agent ran once');
  });

  it('resumes the session for a follow-up in a thread started on the response', async () => {
    const first = await h.discordCommand('summarize the design');
    const conversation = h.discordConversationId(first.interaction.id);
    const session = await waitFor('the session id', async () => (await testTemporal().client.workflow.getHandle(conversation).query(statusQuery)).agentSessionId);
    const responseId = responseOf(h, first).id;
    // A person starts a thread on agent-bot's answer, as Discord's "Create Thread" does.
    const created = await fetch(`${h.discord!.apiUrl}/channels/${DISCORD_CHANNEL_ID}/messages/${responseId}/threads`, { method: 'POST', headers: { authorization: `Bot ${h.discord!.botToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'design' }) });
    assert.equal(created.status, 201);
    const followUp = await h.discordCommand('and what about the queue?', { thread: { id: responseId, name: 'design' } });
    assert.equal(followUp.body['type'], 4);
    assert.match(String((followUp.body['data'] as { content: string }).content), /Its progress and answer follow in this thread/);
    const answer = await waitFor('the answer in the thread', () => h.discord!.channels.get(responseId)!.messages.find((message) => FINAL.test(message.content)));
    assert.match(answer.content, /Answer to: and what about the queue\?/);
    const status = await waitFor('both tasks in the conversation\'s past', async () => {
      const now = await testTemporal().client.workflow.getHandle(conversation).query(statusQuery);
      return now.past.length >= 2 ? now : undefined;
    });
    assert.deepEqual(status.past.map((task) => task.request), ['summarize the design', 'and what about the queue?'], 'the same conversation');
    const last = fs.readFileSync(claudeLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[] }).at(-1)!;
    assert.equal(last.args[last.args.indexOf('--resume') + 1], session, 'the follow-up resumed the first session');
    assert.match(responseOf(h, first).content, /summarize the design/, 'the first answer stays as it was');
  });

  it("answers help at once, and refuses status outside a task's thread", async () => {
    const help = await h.discordCommand('help');
    assert.equal(help.body['type'], 4);
    assert.equal((help.body['data'] as { flags: number }).flags, 64, 'only for the person who asked');
    assert.match(String((help.body['data'] as { content: string }).content), /`\/agent status`/);
    const bare = await h.discordCommand('status');
    assert.match(String((bare.body['data'] as { content: string }).content), /inside the task's thread/);
  });

  it('leaves histories that replay without determinism errors', async () => {
    const replayed = await replayClosedWorkflowsWhere(`AgentProvider = "discord"`, 'discord');
    assert.ok(replayed >= 3, `replayed only ${replayed}`);
  });
});

describe('Discord: a long task outlives its interaction token', function () {
  this.timeout(120_000);
  const TTL_MS = 5_000;
  let h: Harness;
  before(async () => {
    h = await Harness.start({ discord: true, discordTokenTtlMs: TTL_MS, agent: 'slow.js', env: { SLOW_AGENT_SECONDS: '8', AGENT_ENV_PASSTHROUGH: 'SLOW_AGENT_SECONDS', PROGRESS_COMMENT_INTERVAL: '1s' } });
    h.discord!.addChannel(DISCORD_CHANNEL_ID, { name: 'general' });
  });
  after(async () => {
    await h.stop();
  });

  it('edits the response while the token lives, then goes on in a thread on it with the bot token', async () => {
    const sent = await h.discordCommand('take your time');
    assert.deepEqual(sent.body, { type: 5 });
    await waitFor('progress in the response', () => /⏳ \*\*Working\*\*/.test(responseOf(h, sent).content));
    const responseId = responseOf(h, sent).id;
    const answer = await waitFor('the answer in the thread on the response', () => h.discord!.channels.get(responseId)?.messages.find((message) => FINAL.test(message.content)), 60_000);
    assert.match(answer.content, /✅ \*\*Done\*\*/);
    const thread = h.discord!.channels.get(responseId)!;
    assert.equal(thread.parent_id, DISCORD_CHANNEL_ID);
    assert.equal(thread.messages.length, 1, 'one task message in the thread, edited in place');
    assert.ok(h.discord!.requestsTo('POST', /\/threads$/).every((request) => request.authorization === `Bot ${h.discord!.botToken}`));
    const versions = h.discord!.messageHistory.get(responseId)!.map((version) => version.content);
    assert.ok(versions.some((content) => /⏳ \*\*Working\*\*/.test(content)), 'progress was shown in the response first');
    assert.match(responseOf(h, sent).content, /^✅ \*\*Done\*\*[\s\S]*Continued in the thread on this message/);
    assert.deepEqual(responseOf(h, sent).components, []);
  });

  it('cancels a running task with the Cancel button: the click is acknowledged with a deferred update', async () => {
    const sent = await h.discordCommand('stop me');
    // In the response, or in its thread when the machine is slow enough for the token to run out first.
    const withCancel = await waitFor('the Cancel button', () => {
      const thread = h.discord!.channels.get(responseOf(h, sent).id);
      return [responseOf(h, sent), ...(thread?.messages ?? [])].find((message) => buttons(message).some((id) => parseCustomId(id)?.action === 'cancel'));
    });
    const cancel = buttons(withCancel).find((id) => parseCustomId(id)?.action === 'cancel')!;
    const clicked = await h.discordClick(cancel, withCancel.id);
    assert.deepEqual([clicked.status, clicked.body], [200, { type: 6 }]);
    const finalIn = (): DiscordMessage | undefined => {
      const thread = h.discord!.channels.get(responseOf(h, sent).id);
      return [responseOf(h, sent), ...(thread?.messages ?? [])].find((message) => /^🛑 \*\*Cancelled\*\*/.test(message.content));
    };
    await waitFor('the cancelled answer', finalIn, 60_000);
  });
});

describe('Discord: approvals with buttons', function () {
  this.timeout(120_000);
  const ROLE = '700000000000000001';
  let h: Harness;
  before(async () => {
    h = await Harness.start({ discord: true, agent: 'planner.js', env: { AGENT_PROMPT_TEMPLATE: '{request}', DISCORD_ALLOWED_ROLES: ROLE } });
    h.discord!.addChannel(DISCORD_CHANNEL_ID, { name: 'general' });
  });
  after(async () => {
    await h.stop();
  });

  it('approves a plan with its button: only a member with an allowed role counts, and the answer says who', async () => {
    const outsider = await h.discordCommand('fix the login bug', { roles: [] });
    assert.equal((outsider.body['data'] as { flags: number }).flags, 64, 'refused, to the person only');
    const sent = await h.discordCommand('fix the login bug', { roles: [ROLE] });
    const plan = await waitFor('the plan with its buttons', () => /Plan awaiting approval/.test(responseOf(h, sent).content) && responseOf(h, sent));
    assert.match(plan.content, /PLAN: 1\. read the code/);
    const approve = buttons(plan).find((id) => parseCustomId(id)?.action === 'approve')!;
    assert.ok(approve.length <= 100);
    const refused = await h.discordClick(approve, plan.id, { user: { id: '800000000000000009', username: 'mallory' }, roles: [] });
    assert.equal((refused.body['data'] as { flags: number }).flags, 64);
    assert.match(String((refused.body['data'] as { content: string }).content), /DISCORD_ALLOWED_ROLES/);
    const clicked = await h.discordClick(approve, plan.id, { user: { id: '800000000000000002', username: 'bob' }, roles: [ROLE] });
    assert.deepEqual(clicked.body, { type: 6 });
    const done = await waitFor('the final answer', () => FINAL.test(responseOf(h, sent).content) && responseOf(h, sent));
    assert.match(done.content, /DONE: fixed it \(plan approved\)/);
    assert.match(done.content, /Approved by @bob via button/);
    // The answer is posted just before the task workflow ends: a click after the end is the late one.
    await testTemporal().client.workflow.getHandle(`${h.discordConversationId(sent.interaction.id)}/task/dc-${sent.interaction.id}`).result();
    const late = await h.discordClick(approve, plan.id, { roles: [ROLE] });
    assert.match(String((late.body['data'] as { content?: string } | undefined)?.content ?? ''), /no longer running/, 'a click on a finished task says so');
  });
});
