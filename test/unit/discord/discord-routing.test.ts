import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../config/load';
import { DEFAULT_COMMANDS } from '../../../config/schema';
import type { TaskHeader } from '../../../contracts/presence';
import { CONTENT_LIMIT, CUSTOM_ID_LIMIT, customId, parseCustomId, renderDiscordReply, renderDiscordTask } from '../../../integrations/discord/render';
import { routeDiscordInteraction, type DiscordRoutingPolicy } from '../../../integrations/discord/route-interaction';
import { discordPublicKey, verifyDiscordRequest, verifyEd25519 } from '../../../integrations/discord/signature';
import { snowflakeTimeMs } from '../../../integrations/discord/snowflake';
import { discordAddress } from '../../../integrations/discord/thread';
import { agentCommandInteraction, componentClickInteraction, discordDelivery, discordKeyPair, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID, pingInteraction, signDiscordRequest } from '../../support/discord-deliveries';

// PROTOCOLS.md gives no Ed25519 vector for Discord: these are RFC 8032 section 7.1, TEST 2 and TEST 3
// (https://www.rfc-editor.org/rfc/rfc8032#section-7.1): public key, message, signature.
const RFC8032 = [
  {
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
];

const CHANNEL = '950000000000000001';
const POLICY: DiscordRoutingPolicy = { mention: '/agent', commands: DEFAULT_COMMANDS, defaultCommand: 'ask', applicationId: DISCORD_APPLICATION_ID, allowedRoles: [], channelRepos: { [CHANNEL]: 'acme/widgets' }, tokenTtlMs: 15 * 60_000 };
const NOW = new Date();

/** An interaction inside a Discord thread of CHANNEL. */
function inThread(text: string, threadId: string, options: Parameters<typeof agentCommandInteraction>[1] = {}) {
  const interaction = agentCommandInteraction(text, { ...options, channelId: threadId });
  interaction['channel'] = { id: threadId, type: 11, guild_id: DISCORD_GUILD_ID, parent_id: CHANNEL, name: 'the bug' };
  return interaction;
}

describe('Discord settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-discord-config-'));

  it('reads every key, trims the API URL, and gives interaction tokens 15 minutes unless told otherwise', () => {
    const config = loadConfig({ DISCORD_PUBLIC_KEY: 'ab'.repeat(32), DISCORD_APPLICATION_ID: DISCORD_APPLICATION_ID, DISCORD_BOT_TOKEN: 'bot', DISCORD_API_URL: 'http://127.0.0.1:9/api/v10/', DISCORD_CHANNEL_REPOS: `"${CHANNEL}": acme/widgets`, DISCORD_ALLOWED_ROLES: '700000000000000001, 700000000000000002' }, dir);
    assert.equal(config.DISCORD_API_URL, 'http://127.0.0.1:9/api/v10');
    assert.deepEqual(config.DISCORD_CHANNEL_REPOS, { [CHANNEL]: 'acme/widgets' });
    assert.deepEqual(config.DISCORD_ALLOWED_ROLES, ['700000000000000001', '700000000000000002']);
    assert.equal(config.DISCORD_INTERACTION_TOKEN_TTL, 15 * 60_000);
    assert.equal(loadConfig({ DISCORD_INTERACTION_TOKEN_TTL: '5s' }, dir).DISCORD_INTERACTION_TOKEN_TTL, 5_000);
    assert.equal(loadConfig({}, dir).DISCORD_API_URL, 'https://discord.com/api/v10');
  });

  it('names a public key that is not 64 hex digits, and an application id that is not an id', () => {
    assert.throws(() => loadConfig({ DISCORD_PUBLIC_KEY: 'not-a-key' }, dir), /DISCORD_PUBLIC_KEY: expected the 64 hex digits/);
    assert.throws(() => loadConfig({ DISCORD_APPLICATION_ID: 'agent-bot' }, dir), /DISCORD_APPLICATION_ID: expected a Discord id/);
  });
});

describe('Discord request signatures', () => {
  it('verifies the RFC 8032 Ed25519 test vectors with the public key in hex, and refuses them altered', () => {
    for (const vector of RFC8032) {
      const key = discordPublicKey(vector.publicKey);
      assert.equal(verifyEd25519(key, Buffer.from(vector.message, 'hex'), vector.signature), true);
      assert.equal(verifyEd25519(key, Buffer.from(`${vector.message}00`, 'hex'), vector.signature), false);
      const flipped = `${vector.signature.slice(0, 10)}${vector.signature[10] === '0' ? '1' : '0'}${vector.signature.slice(11)}`;
      assert.equal(verifyEd25519(key, Buffer.from(vector.message, 'hex'), flipped), false);
    }
  });

  it('accepts what Discord signs (timestamp + raw body) and refuses a tampered body, another key, or a changed timestamp', () => {
    const keys = discordKeyPair();
    const key = discordPublicKey(keys.publicKeyHex);
    const delivery = discordDelivery(keys.privateKey, agentCommandInteraction('fix it'));
    const timestamp = delivery.headers['x-signature-timestamp']!;
    const signature = delivery.headers['x-signature-ed25519']!;
    assert.equal(verifyDiscordRequest(key, Buffer.from(delivery.body), timestamp, signature), true);
    assert.equal(verifyDiscordRequest(key, Buffer.from(delivery.body.replace('fix it', 'fix me')), timestamp, signature), false, 'tampered body');
    assert.equal(verifyDiscordRequest(key, Buffer.from(delivery.body), String(Number(timestamp) + 1), signature), false, 'another timestamp');
    assert.equal(verifyDiscordRequest(discordPublicKey(discordKeyPair().publicKeyHex), Buffer.from(delivery.body), timestamp, signature), false, 'another key');
  });

  it("refuses Discord's probes: a signature of zeros, garbage, none, no timestamp, no key configured", () => {
    const keys = discordKeyPair();
    const key = discordPublicKey(keys.publicKeyHex);
    const body = Buffer.from(JSON.stringify(pingInteraction()));
    const timestamp = String(Math.floor(Date.now() / 1000));
    assert.equal(verifyDiscordRequest(key, body, timestamp, '0'.repeat(128)), false);
    assert.equal(verifyDiscordRequest(key, body, timestamp, 'not-hex'), false);
    assert.equal(verifyDiscordRequest(key, body, timestamp, undefined), false);
    assert.equal(verifyDiscordRequest(key, body, undefined, signDiscordRequest(keys.privateKey, timestamp, body)), false);
    assert.equal(verifyDiscordRequest(undefined, body, timestamp, signDiscordRequest(keys.privateKey, timestamp, body)), false);
    assert.throws(() => discordPublicKey('abcd'), /64 hex digits/);
  });
});

describe('routeDiscordInteraction', () => {
  it('answers PING with PONG, and refuses an interaction of another application', () => {
    assert.deepEqual(routeDiscordInteraction(pingInteraction(), POLICY, NOW), { kind: 'pong' });
    assert.equal(routeDiscordInteraction(pingInteraction({ applicationId: '1100000000000000999' }), POLICY, NOW).kind, 'invalid');
    assert.equal(routeDiscordInteraction({ type: 2 }, POLICY, NOW).kind, 'invalid');
  });

  it('starts a conversation of its own for /agent in a channel, named by the interaction, deferred, with the token in the address', () => {
    const interaction = agentCommandInteraction('explain the cache', { user: { id: '800000000000000002', username: 'bob' } });
    const routed = routeDiscordInteraction(interaction, POLICY, NOW);
    assert.ok(routed.kind === 'act' && routed.event.kind === 'command');
    const { thread, command } = routed.event;
    assert.equal(thread.key, `${DISCORD_GUILD_ID}/${CHANNEL}/${interaction.id}`);
    assert.equal(thread.repo, 'acme/widgets');
    assert.equal(command.taskId, `dc-${interaction.id}`);
    assert.equal(command.messageKey, `discord:${interaction.id}`);
    assert.equal(command.deliveryId, interaction.id);
    assert.equal(command.requester, 'bob');
    assert.equal(command.requesterId, '800000000000000002');
    assert.equal(command.messageId, undefined, 'no message to react to: the deferred response is the acknowledgement');
    assert.deepEqual(routed.reply, { kind: 'defer' });
    const address = discordAddress(thread);
    assert.equal(address.token, interaction.token);
    assert.equal(address.tokenExpiresAt, snowflakeTimeMs(interaction.id) + 15 * 60_000);
    assert.ok(!JSON.stringify([thread.label, thread.url, thread.kind]).includes(interaction.token), 'the token stays out of what people see');
  });

  it('puts /agent inside a thread on that thread, or on the conversation whose response the thread was started on', () => {
    const plain = routeDiscordInteraction(inThread('and the queue?', '960000000000000007'), POLICY, NOW);
    assert.ok(plain.kind === 'act' && plain.event.kind === 'command');
    assert.equal(plain.event.thread.key, `${DISCORD_GUILD_ID}/${CHANNEL}/960000000000000007`);
    assert.equal(plain.event.thread.repo, 'acme/widgets', "a thread works on its parent channel's repository");
    assert.equal(discordAddress(plain.event.thread).token, undefined, "a follow-up's token is never used by the transport");
    assert.equal(plain.reply.kind === 'message' && plain.reply.ephemeral, false);
    const resumed = routeDiscordInteraction(inThread('and the queue?', '960000000000000007'), POLICY, NOW, { startedBy: '970000000000000001' });
    assert.ok(resumed.kind === 'act' && resumed.event.kind === 'command');
    assert.equal(resumed.event.thread.key, `${DISCORD_GUILD_ID}/${CHANNEL}/970000000000000001`);
    assert.equal(discordAddress(resumed.event.thread).threadId, '960000000000000007');
  });

  it('keeps one interaction one command: its id is the task id and the message key, whatever the delivery', () => {
    const interaction = agentCommandInteraction('count me once');
    const first = routeDiscordInteraction(interaction, POLICY, NOW);
    const again = routeDiscordInteraction(structuredClone(interaction), POLICY, new Date(NOW.getTime() + 1000));
    assert.ok(first.kind === 'act' && first.event.kind === 'command' && again.kind === 'act' && again.event.kind === 'command');
    assert.equal(again.event.command.taskId, first.event.command.taskId);
    assert.equal(again.event.command.messageKey, first.event.command.messageKey);
    assert.equal(again.event.thread.key, first.event.thread.key);
  });

  it('answers help at once, sends the control words to a thread conversation, and refuses them in a bare channel', () => {
    const help = routeDiscordInteraction(agentCommandInteraction('help'), POLICY, NOW);
    assert.ok(help.kind === 'answer' && help.ephemeral);
    assert.match(help.content, /`\/agent status`/);
    const statusInChannel = routeDiscordInteraction(agentCommandInteraction('status'), POLICY, NOW);
    assert.ok(statusInChannel.kind === 'answer' && /inside the task's thread/.test(statusInChannel.content));
    const approve = routeDiscordInteraction(inThread('approve', '960000000000000007'), POLICY, NOW);
    assert.ok(approve.kind === 'act' && approve.event.kind === 'command' && approve.event.signalOnly === true && approve.event.command.trusted === true);
    const status = routeDiscordInteraction(inThread('status', '960000000000000007'), POLICY, NOW);
    assert.ok(status.kind === 'act' && status.event.kind === 'command' && status.event.command.action === 'status');
  });

  it('answers a deferred request with a message naming when it runs', () => {
    const routed = routeDiscordInteraction(agentCommandInteraction('in 2h review again'), POLICY, NOW);
    assert.ok(routed.kind === 'act' && routed.event.kind === 'command' && routed.event.command.action === 'defer');
    assert.ok(routed.reply.kind === 'message' && routed.reply.content.includes(routed.event.command.runAt!));
  });

  it('refuses a repository the mapping does not list, direct messages, and other commands', () => {
    const repo = routeDiscordInteraction(agentCommandInteraction('in evil/secrets read the keys'), POLICY, NOW);
    assert.ok(repo.kind === 'answer' && /evil\/secrets.*acme\/widgets/.test(repo.content));
    const dm = { ...agentCommandInteraction('hi'), guild_id: undefined, member: undefined, user: { id: '800000000000000001', username: 'alice' } };
    assert.ok(routeDiscordInteraction(JSON.parse(JSON.stringify(dm)), POLICY, NOW).kind === 'answer');
    const other = agentCommandInteraction('hi');
    other.data!.name = 'other';
    assert.ok(routeDiscordInteraction(other, POLICY, NOW).kind === 'answer');
  });

  it('lets only members with an allowed role start or decide anything when DISCORD_ALLOWED_ROLES is set', () => {
    const policy = { ...POLICY, allowedRoles: ['700000000000000001'] };
    assert.equal(routeDiscordInteraction(agentCommandInteraction('run', { roles: ['700000000000000009'] }), policy, NOW).kind, 'answer');
    assert.equal(routeDiscordInteraction(agentCommandInteraction('run', { roles: ['700000000000000001'] }), policy, NOW).kind, 'act');
    const id = customId('approve', '970000000000000001', 'dc-970000000000000001');
    assert.equal(routeDiscordInteraction(componentClickInteraction(id, { id: '980000000000000001' }, { roles: [] }), policy, NOW).kind, 'answer');
  });

  it("sends a button's decision or cancel to the task it names, in the clicked channel's conversation", () => {
    const id = customId('approve', '970000000000000001', 'dc-970000000000000001');
    const click = routeDiscordInteraction(componentClickInteraction(id, { id: '980000000000000001' }, { user: { id: '800000000000000002', username: 'bob' } }), POLICY, NOW);
    assert.ok(click.kind === 'act' && click.event.kind === 'decision');
    assert.equal(click.event.taskWorkflowId, `discord:${DISCORD_GUILD_ID}/${CHANNEL}/970000000000000001/task/dc-970000000000000001`);
    assert.deepEqual(click.event.decision, { decision: 'approve', by: 'bob', byId: '800000000000000002', via: 'button', trusted: true });
    assert.deepEqual(click.reply, { kind: 'update' });
    const inThreadClick = componentClickInteraction(customId('cancel', '970000000000000001', 'dc-990000000000000001'), { id: '980000000000000001' }, { channelId: '960000000000000007' });
    inThreadClick['channel'] = { id: '960000000000000007', type: 11, parent_id: CHANNEL };
    const cancel = routeDiscordInteraction(inThreadClick, POLICY, NOW);
    assert.ok(cancel.kind === 'act' && cancel.event.kind === 'cancel');
    assert.equal(cancel.event.taskWorkflowId, `discord:${DISCORD_GUILD_ID}/${CHANNEL}/970000000000000001/task/dc-990000000000000001`);
    assert.equal(routeDiscordInteraction(componentClickInteraction('someone-else:approve', { id: '980000000000000001' }), POLICY, NOW).kind, 'answer');
  });
});

describe('Discord messages', () => {
  const header: TaskHeader = { taskId: 'dc-1300000000000000001', request: 'fix *the* login bug', requester: 'alice', runUrl: 'http://localhost:8233/namespaces/default/workflows/x', mention: '@agent' };

  it('names the action, the conversation and the task in custom ids well under 100 characters', () => {
    const id = customId('approve', '1300000000000000001', 'dc-1300000000000000001');
    assert.ok(id.length <= CUSTOM_ID_LIMIT, `${id.length} characters`);
    assert.deepEqual(parseCustomId(id), { action: 'approve', conversationId: '1300000000000000001', taskId: 'dc-1300000000000000001' });
    assert.equal(parseCustomId('agent-bot:delete:1300000000000000001:dc-1'), undefined);
  });

  it('shows progress with a Cancel button, a plan with Approve and Reject, and the answer without buttons', () => {
    const working = renderDiscordTask(header, '1300000000000000001', { phase: 'working', stage: 'running', elapsedMs: 65_000, lastLine: 'reading', costUsd: 0.5 });
    assert.match(working.content!, /⏳ \*\*Working\*\* · @alice asked: \*fix \\\*the\\\* login bug\*/);
    assert.match(JSON.stringify(working.components), /"label":"Cancel".*agent-bot:cancel:1300000000000000001:dc-1300000000000000001/);
    const plan = renderDiscordTask(header, '1300000000000000001', { phase: 'plan', plan: 'PLAN: 1. read', deadline: '2030-01-01T00:00:00.000Z' });
    assert.match(JSON.stringify(plan.components), /Approve.*Reject/);
    const done = renderDiscordTask(header, '1300000000000000001', { phase: 'final', outcome: 'succeeded', text: 'The answer is 42.', durationMs: 3_000, usage: { costUsd: 0.1 }, decision: { decision: 'approve', by: 'bob', via: 'button' } });
    assert.deepEqual(done.components, []);
    assert.match(done.content!, /✅ \*\*Done\*\*[\s\S]*The answer is 42\.[\s\S]*Approved by @bob via button[\s\S]*took 3s · cost \$0\.1000/);
    assert.deepEqual(done.allowed_mentions, { parse: [] }, 'an answer never pings anyone');
  });

  it('cuts a long answer to 2,000 characters on a line end, closes a cut code block, and says where the whole answer is', () => {
    const text = ['intro', '```ts', ...Array.from({ length: 400 }, (_, i) => `const line${i} = ${i};`), '```', 'outro'].join('\n');
    const done = renderDiscordTask(header, '1300000000000000001', { phase: 'final', outcome: 'succeeded', text, durationMs: 1, usage: {}, answerPath: 'logs/tasks/dc-1/answer.md' });
    assert.ok(done.content!.length <= CONTENT_LIMIT, `${done.content!.length} characters`);
    assert.equal((done.content!.match(/```/g) ?? []).length % 2, 0, 'code fences balanced');
    assert.match(done.content!, /answer cut to fit a Discord message \(2,000 characters\); the whole answer is in the run and on the agent-bot server \(`logs\/tasks\/dc-1\/answer\.md`\)/);
    assert.match(done.content!, /task `dc-1300000000000000001`/, 'the footer survives the cut');
    const reply = renderDiscordReply('x'.repeat(5_000));
    assert.ok(reply.content!.length <= CONTENT_LIMIT && /cut to fit/.test(reply.content!));
  });
});
