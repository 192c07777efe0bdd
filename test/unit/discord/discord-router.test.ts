import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DEFAULT_COMMANDS } from '../../../config/schema';
import type { Command } from '../../../contracts/task';
import type { ThreadRef } from '../../../contracts/thread';
import { createGatewayApp } from '../../../gateway/app';
import { createDiscordRouter } from '../../../gateway/discord/router';
import type { Dispatcher } from '../../../gateway/dispatcher';
import { createDiscordClient } from '../../../integrations/discord/client';
import { customId } from '../../../integrations/discord/render';
import { discordPublicKey } from '../../../integrations/discord/signature';
import { agentCommandInteraction, componentClickInteraction, discordDelivery, discordKeyPair, DISCORD_APPLICATION_ID, DISCORD_GUILD_ID, type InteractionPayload } from '../../support/discord-deliveries';
import { DiscordStandIn } from '../../support/discord-stand-in';
import { waitFor } from '../../support/wait';

const CHANNEL = '950000000000000001';
const THREAD = '960000000000000001';

/** A dispatcher whose every call waits `delayMs`, then does what `outcome` says. */
function slowDispatcher(delayMs: number, outcome: 'ok' | 'fail' | 'gone'): Dispatcher & { commands: Command[] } {
  const commands: Command[] = [];
  const settle = async <T>(value: T): Promise<T> => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (outcome === 'fail') throw new Error('Temporal is down');
    return value;
  };
  return {
    commands,
    dispatchCommand: (thread: ThreadRef, command: Command) => {
      commands.push(command);
      return settle({ workflowId: `discord:${thread.key}` });
    },
    closeThread: () => settle(outcome !== 'gone'),
    signalCommand: () => settle(outcome !== 'gone'),
    decideTask: () => settle(outcome !== 'gone'),
    cancelTask: () => settle(outcome !== 'gone'),
  };
}

describe('Discord router: an answer within 3 s whatever Temporal does', () => {
  const keys = discordKeyPair();
  let discord: DiscordStandIn;
  let server: Server | undefined;

  const start = async (dispatcher: Dispatcher): Promise<string> => {
    const router = createDiscordRouter({
      publicKey: discordPublicKey(keys.publicKeyHex),
      policy: { mention: '/agent', commands: DEFAULT_COMMANDS, defaultCommand: 'ask', applicationId: DISCORD_APPLICATION_ID, allowedRoles: [], channelRepos: {}, tokenTtlMs: 15 * 60_000 },
      dispatcher,
      client: createDiscordClient({ apiUrl: discord.apiUrl, botToken: discord.botToken }),
      ackWithinMs: 300,
    });
    const app = createGatewayApp({ routers: [router], isTemporalReachable: () => Promise.resolve(true) });
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/discord`;
  };
  const post = async (url: string, interaction: InteractionPayload) => {
    discord.registerInteraction(interaction);
    const delivery = discordDelivery(keys.privateKey, interaction);
    const startedAt = Date.now();
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const body = (await response.json()) as { type: number; data?: { content?: string; flags?: number } };
    if (body.type >= 4) discord.respondToInteraction(interaction.token, body);
    return { status: response.status, body, tookMs: Date.now() - startedAt };
  };
  const inThread = (text: string): InteractionPayload => {
    const interaction = agentCommandInteraction(text, { channelId: THREAD });
    interaction['channel'] = { id: THREAD, type: 11, guild_id: DISCORD_GUILD_ID, parent_id: CHANNEL, name: 'a thread' };
    return interaction;
  };

  beforeEach(async () => {
    discord = await new DiscordStandIn().start();
    discord.addChannel(CHANNEL);
    discord.addChannel(THREAD);
  });
  afterEach(async () => {
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    server = undefined;
    await discord.stop();
  });

  it('defers when Temporal is slow, then edits the response with what it would have said', async () => {
    const url = await start(slowDispatcher(1_000, 'ok'));
    const answer = await post(url, inThread('look at the cache'));
    assert.deepEqual(answer.body, { type: 5 });
    assert.ok(answer.tookMs < 1_000, `answered after ${answer.tookMs} ms`);
    const interaction = [...discord.interactions.values()].at(-1)!;
    const edited = await waitFor('the edited response', () => /Its progress and answer follow in this thread/.test(discord.message(interaction.originalId!)!.content) && discord.message(interaction.originalId!));
    assert.match(edited.content, /look at the cache/);
  });

  it('says so, to the person only, when Temporal refuses: Discord would never retry', async () => {
    const url = await start(slowDispatcher(0, 'fail'));
    const answer = await post(url, agentCommandInteraction('run it', { channelId: CHANNEL }));
    assert.equal(answer.body.type, 4);
    assert.equal(answer.body.data?.flags, 64);
    assert.match(answer.body.data?.content ?? '', /could not record this.*try again/);
  });

  it('edits a late deferred answer into the refusal when Temporal fails after the deadline', async () => {
    const url = await start(slowDispatcher(800, 'fail'));
    const answer = await post(url, agentCommandInteraction('run it', { channelId: CHANNEL }));
    assert.deepEqual(answer.body, { type: 5 });
    const interaction = [...discord.interactions.values()].at(-1)!;
    await waitFor('the refusal in the response', () => /could not record this/.test(discord.message(interaction.originalId!)!.content));
  });

  it('answers a click on a task that no longer runs, to the clicker only', async () => {
    const url = await start(slowDispatcher(0, 'gone'));
    const message = discord.addMessage(CHANNEL, 'a finished task');
    const answer = await post(url, componentClickInteraction(customId('approve', '970000000000000001', 'dc-970000000000000001'), message, { channelId: CHANNEL }));
    assert.equal(answer.body.type, 4);
    assert.equal(answer.body.data?.flags, 64);
    assert.match(answer.body.data?.content ?? '', /Not done: the task is no longer running/);
  });
});
