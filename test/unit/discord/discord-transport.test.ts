import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_COMMANDS } from '../../../config/schema';
import { ErrorType } from '../../../contracts/errors';
import type { TaskPresence, TaskView } from '../../../contracts/presence';
import type { ThreadRef } from '../../../contracts/thread';
import { createDiscordClient } from '../../../integrations/discord/client';
import { AGENT_COMMAND, registerDiscordCommands } from '../../../integrations/discord/commands';
import { routeDiscordInteraction, type DiscordRoutingPolicy } from '../../../integrations/discord/route-interaction';
import { discordThread } from '../../../integrations/discord/thread';
import { createDiscordTransport, DISCORD_BOT_WINDOWS } from '../../../integrations/discord/transport';
import type { TaskOnThread, ThreadTransport } from '../../../integrations/transport';
import { WriteBudgets } from '../../../integrations/write-budget';
import { agentCommandInteraction, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID } from '../../support/discord-deliveries';
import { DiscordStandIn } from '../../support/discord-stand-in';

const CHANNEL = '950000000000000001';
const TTL_MS = 15 * 60_000;
const POLICY: DiscordRoutingPolicy = { mention: '/agent', commands: DEFAULT_COMMANDS, defaultCommand: 'ask', applicationId: DISCORD_APPLICATION_ID, allowedRoles: [], channelRepos: {}, tokenTtlMs: TTL_MS };
const WORKING: TaskView = { phase: 'working', stage: 'running', elapsedMs: 5_000, lastLine: 'reading the code' };
const DONE: TaskView = { phase: 'final', outcome: 'succeeded', text: 'The answer is 42.', durationMs: 9_000, usage: {} };

describe('Discord transport against the stand-in', () => {
  let discord: DiscordStandIn;
  let clock: number;
  let transport: ThreadTransport;

  /** `null`: a worker without DISCORD_BOT_TOKEN. */
  const newTransport = (botToken: string | null = discord.botToken): ThreadTransport =>
    createDiscordTransport({
      client: createDiscordClient({ apiUrl: discord.apiUrl, botToken: botToken ?? undefined }),
      budgets: new WriteBudgets({ windows: DISCORD_BOT_WINDOWS, urgentReserve: 0.25, maxWaitMs: 30_000 }),
      allowedRoles: [],
      now: () => clock,
    });

  /** `/agent request:<text>` in the channel, routed as the gateway does and answered with a deferred response. */
  const command = (text: string): { thread: ThreadRef; task: TaskOnThread; token: string } => {
    const interaction = agentCommandInteraction(text, { createdAt: clock, channelId: CHANNEL });
    discord.registerInteraction(interaction);
    discord.respondToInteraction(interaction.token, { type: 5 });
    const routed = routeDiscordInteraction(interaction, POLICY, new Date(clock));
    assert.ok(routed.kind === 'act' && routed.event.kind === 'command');
    const { thread, command: cmd } = routed.event;
    const header = { taskId: cmd.taskId, request: cmd.request, requester: cmd.requester, runUrl: 'http://ui/run', mention: '/agent' };
    return { thread, task: { thread, header, taskWorkflowId: `discord:${thread.key}/task/${cmd.taskId}`, startedAt: new Date(clock).toISOString() }, token: interaction.token };
  };
  const original = (token: string) => discord.message(discord.interactions.get(token)!.originalId!)!;

  beforeEach(async () => {
    clock = Date.now();
    discord = await new DiscordStandIn({ now: () => clock }).start();
    discord.addChannel(CHANNEL, { name: 'general' });
    transport = newTransport();
  });
  afterEach(() => discord.stop());

  it('edits the interaction response in place while the token lives, with the Cancel button, then the answer', async () => {
    const { task, token } = command('explain the cache');
    const shown = await transport.show(task, {}, WORKING, { priority: 'urgent' });
    assert.equal(shown?.messageId, original(token).id);
    assert.match(original(token).content, /⏳ \*\*Working\*\*/);
    assert.match(JSON.stringify(original(token).components), /agent-bot:cancel:/);
    const done = await transport.show(task, shown, DONE, { priority: 'urgent' });
    assert.equal(done?.messageId, original(token).id, 'the same message became the answer');
    assert.match(original(token).content, /✅ \*\*Done\*\*[\s\S]*The answer is 42/);
    assert.deepEqual(original(token).components, []);
    assert.equal(discord.requestsTo('POST', /\/threads$/).length, 0, 'no thread while the token works');
    assert.ok(discord.requestsTo('PATCH', /@original$/).every((request) => request.authorization === undefined), 'webhook edits need no bot token');
  });

  it('goes on in a thread started on the response once the token expired, and points the response to it', async () => {
    const { task, token } = command('a long run');
    const first = await transport.show(task, {}, WORKING, { priority: 'urgent' });
    const responseId = original(token).id;
    clock += TTL_MS + 1_000;
    const moved = await transport.show(task, first!, { ...WORKING, stage: 'still running' }, { priority: 'urgent' });
    const thread = discord.channels.get(responseId);
    assert.ok(thread !== undefined && thread.parent_id === CHANNEL, 'a thread on the response (it takes its id)');
    assert.equal(thread.name, 'agent: a long run');
    assert.equal(moved?.messageId, thread.messages[0]!.id);
    assert.deepEqual(moved?.state, { originalId: responseId, postedIn: responseId });
    assert.match(original(token).content, /Continued in the thread on this message/);
    assert.deepEqual(original(token).components, [], 'no stale buttons on the response');
    const done = await transport.show(task, moved, DONE, { priority: 'urgent' });
    assert.equal(done?.messageId, moved?.messageId, 'edited in the thread, not posted again');
    assert.equal(thread.messages.length, 1);
    assert.match(thread.messages[0]!.content, /The answer is 42/);
    assert.match(original(token).content, /^✅ \*\*Done\*\*/, 'the response shows the outcome too');
    assert.ok(discord.requestsTo('PATCH', /@original$/).every((request) => request.status === 200), 'the expired token was never tried');
  });

  it("moves to the thread when Discord calls the token invalid (50027) before our clock does", async () => {
    const { task, token } = command('early expiry');
    await transport.show(task, {}, WORKING, { priority: 'urgent' });
    discord.failNext('PATCH', /@original$/, 401, 1, { body: { message: 'Invalid Webhook Token', code: 50027 } });
    const moved = await transport.show(task, { messageId: original(token).id, state: { originalId: original(token).id } }, DONE, { priority: 'urgent' });
    assert.equal(moved?.state?.['postedIn'], original(token).id);
    assert.match(discord.channels.get(original(token).id)!.messages[0]!.content, /The answer is 42/);
  });

  it('finds the response of an expired interaction by its interaction_metadata, for replies and later tasks', async () => {
    const { thread, task, token } = command('find me later');
    await transport.show(task, {}, WORKING, { priority: 'urgent' });
    discord.addMessage(CHANNEL, 'someone else talks in the channel');
    clock += TTL_MS + 1_000;
    const fresh = newTransport(); // another worker: nothing cached
    await fresh.reply(thread, '@alice the plan still waits for approval.');
    const replies = discord.channels.get(original(token).id)!.messages;
    assert.deepEqual(replies.map((message) => message.content), ['@alice the plan still waits for approval.']);
    assert.deepEqual(discord.requestsTo('GET', /\/messages$/).map((request) => request.query.get('after')), [discord.interactions.get(token)!.id]);
  });

  it('writes a conversation that lives in a Discord thread there, with the bot token', async () => {
    const parent = discord.addMessage(CHANNEL, 'a person starts a thread');
    discord.channels.set(parent.id, { id: parent.id, type: 11, guild_id: DISCORD_GUILD_ID, name: 'the bug', parent_id: CHANNEL, botCanPost: true, messages: [] });
    const thread = discordThread({ guildId: DISCORD_GUILD_ID, channelId: CHANNEL, threadId: parent.id, threadName: 'the bug' });
    const task: TaskOnThread = { thread, header: { taskId: 'dc-1300000000000000009', request: 'x', requester: 'alice', runUrl: 'http://ui', mention: '/agent' }, taskWorkflowId: 'w', startedAt: new Date(clock).toISOString() };
    const shown = await transport.show(task, {}, WORKING, { priority: 'urgent' });
    await transport.reply(thread, 'status: idle');
    assert.deepEqual(discord.channels.get(parent.id)!.messages.map((message) => message.id === shown?.messageId || message.content), [true, 'status: idle']);
    assert.equal(discord.requestsTo('POST', /\/threads$/).length, 0);
    await transport.react(thread, shown!.messageId!, 'succeeded');
    assert.deepEqual(discord.message(shown!.messageId!)!.reactions, ['✅']);
  });

  it('posts the task message anew when someone deleted it', async () => {
    const { task, token } = command('deleted');
    clock += TTL_MS + 1_000;
    const shown = await transport.show(task, {}, WORKING, { priority: 'urgent' });
    const thread = discord.channels.get(original(token).id)!;
    thread.messages.splice(0);
    const done = await transport.show(task, shown!, DONE, { priority: 'urgent' });
    assert.notEqual(done?.messageId, shown?.messageId);
    assert.match(thread.messages[0]!.content, /The answer is 42/);
  });

  it('after a lost answer, finds the task message in its thread by the task id instead of posting it twice', async () => {
    const { task, token } = command('lost answer');
    await transport.show(task, {}, WORKING, { priority: 'urgent' });
    clock += TTL_MS + 1_000;
    const moved = await transport.show(task, { state: { originalId: original(token).id } }, WORKING, { priority: 'urgent' });
    const presenceLost: TaskPresence = { state: { originalId: original(token).id, postedIn: moved!.state!['postedIn']! } };
    const retried = await newTransport().show(task, presenceLost, DONE, { priority: 'urgent', mayExist: true });
    assert.equal(retried?.messageId, moved?.messageId);
    assert.equal(discord.channels.get(original(token).id)!.messages.length, 1);
  });

  it('classifies failures once: 403, 400 and 404 refuse, 429 waits for retry_after and pauses the channel, 5xx and the network retry', async () => {
    const { task, token } = command('errors');
    clock += TTL_MS + 1_000;
    discord.failNext('POST', /\/threads$/, 403, 1, { body: { message: 'Missing Access', code: 50001 } });
    const forbidden = await transport.show(task, {}, WORKING, { priority: 'urgent' }).catch((error: unknown) => error);
    assert.ok(forbidden instanceof ApplicationFailure && forbidden.type === ErrorType.ProviderForbidden && forbidden.nonRetryable, String(forbidden));
    assert.match(forbidden.message, /403 \(code 50001\) Missing Access/);
    discord.rateLimitNext('POST', /\/messages$/, 2.5);
    const limited = await transport.show(task, {}, WORKING, { priority: 'urgent' }).catch((error: unknown) => error);
    assert.ok(limited instanceof ApplicationFailure && limited.type === ErrorType.ProviderRateLimited && limited.nextRetryDelay === 2_500, String(limited));
    assert.equal(await transport.show(task, {}, WORKING, { priority: 'progress' }), undefined, 'progress skipped while the channel is paused');
    discord.failNext('POST', /\/messages$/, 503, 1);
    const unavailable = await newTransport().show(task, {}, WORKING, { priority: 'urgent' }).catch((error: unknown) => error);
    assert.ok(unavailable instanceof ApplicationFailure && unavailable.type === ErrorType.ProviderUnavailable && !unavailable.nonRetryable, String(unavailable));
    discord.failNext('POST', /\/messages$/, 400, 1, { body: { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } } });
    const rejected = await newTransport().show(task, {}, WORKING, { priority: 'urgent' }).catch((error: unknown) => error);
    assert.ok(rejected instanceof ApplicationFailure && rejected.type === ErrorType.ProviderRejected && rejected.nonRetryable, String(rejected));
    assert.match(rejected.message, /content: Must be 2000 or fewer in length/);
    const gone = await newTransport().reply(discordThread({ guildId: DISCORD_GUILD_ID, channelId: CHANNEL, threadId: '960000000000000404' }), 'hi').catch((error: unknown) => error);
    assert.ok(gone instanceof ApplicationFailure && gone.type === ErrorType.ProviderNotFound && gone.nonRetryable, String(gone));
    const unreachable = createDiscordTransport({ client: createDiscordClient({ apiUrl: 'http://127.0.0.1:1/api/v10', botToken: 'x' }), budgets: new WriteBudgets({ windows: DISCORD_BOT_WINDOWS, urgentReserve: 0.25, maxWaitMs: 1_000 }), allowedRoles: [] });
    const network = await unreachable.reply(discordThread({ guildId: DISCORD_GUILD_ID, channelId: CHANNEL, threadId: CHANNEL }), 'hi').catch((error: unknown) => error);
    assert.ok(network instanceof ApplicationFailure && network.type === ErrorType.ProviderUnavailable, String(network));
    for (const failure of [forbidden, limited, unavailable, network]) assert.ok(!String((failure as Error).message).includes(token), 'no token in an error');
  });

  it('refuses without a bot token once the interaction token is gone, naming the setting', async () => {
    const { task } = command('no bot token');
    clock += TTL_MS + 1_000;
    const failure = await newTransport(null).show(task, {}, WORKING, { priority: 'urgent' }).catch((error: unknown) => error);
    assert.ok(failure instanceof ApplicationFailure && failure.type === ErrorType.ProviderUnauthorized && /DISCORD_BOT_TOKEN/.test(failure.message), String(failure));
  });

  it('lets anyone approve when no roles are set, and leaves the roles to the gateway otherwise', async () => {
    assert.equal(await transport.mayApprove(command('x').thread, { name: 'bob', id: '1' }), true);
    const strict = createDiscordTransport({ client: createDiscordClient({ apiUrl: discord.apiUrl, botToken: discord.botToken }), budgets: new WriteBudgets({ windows: DISCORD_BOT_WINDOWS, urgentReserve: 0.25, maxWaitMs: 1_000 }), allowedRoles: ['700000000000000001'] });
    assert.equal(await strict.mayApprove(command('y').thread, { name: 'bob', id: '1' }), false);
  });
});

describe('Discord commands registration', () => {
  let discord: DiscordStandIn;
  beforeEach(async () => {
    discord = await new DiscordStandIn().start();
  });
  afterEach(() => discord.stop());

  it('bulk-overwrites /agent with its required request option, globally or in one server, idempotently', async () => {
    const client = createDiscordClient({ apiUrl: discord.apiUrl, botToken: discord.botToken });
    const first = await registerDiscordCommands(client, discord.applicationId);
    const again = await registerDiscordCommands(client, discord.applicationId);
    assert.deepEqual(again, first, 'the same command, the same id');
    assert.equal(discord.commands.get('global')!.length, 1);
    const stored = discord.commands.get('global')![0]!;
    assert.deepEqual([stored['name'], stored['type'], (stored['options'] as { name: string; type: number; required: boolean }[])[0]], ['agent', 1, { ...AGENT_COMMAND.options[0] }]);
    await registerDiscordCommands(client, discord.applicationId, DISCORD_GUILD_ID);
    assert.equal(discord.commands.get(DISCORD_GUILD_ID)!.length, 1);
    const requests = discord.requestsTo('PUT', /commands$/);
    assert.ok(requests.every((request) => request.authorization === `Bot ${discord.botToken}`));
    await assert.rejects(registerDiscordCommands(createDiscordClient({ apiUrl: discord.apiUrl, botToken: 'wrong' }), discord.applicationId), /HTTP 401/);
  });
});
