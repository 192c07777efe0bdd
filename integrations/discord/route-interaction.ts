import { repoAllowed, mappedRepo } from '../../config/repo-mapping';
import type { Command } from '../../contracts/task';
import { messageKey, taskIdFor, taskWorkflowId, threadWorkflowId, type ThreadRef } from '../../contracts/thread';
import type { RoutedEvent } from '../routed-event';
import { parseThreadCommand, type CommandPolicy, type ParsedThreadCommand } from '../thread-command';
import { parseCustomId } from './render';
import { describeIssues, InteractionType, interactionSchema, interactionTypeSchema, THREAD_CHANNEL_TYPES, type DiscordInteraction } from './schemas';
import { snowflakeTimeMs } from './snowflake';
import { discordThread } from './thread';
import { oneLine } from '../task-wording';

/** The one application command agent-bot registers (`npm run discord:register`) and its one option. */
export const AGENT_COMMAND_NAME = 'agent';
export const REQUEST_OPTION = 'request';

export interface DiscordRoutingPolicy extends CommandPolicy {
  /** DISCORD_APPLICATION_ID: interactions of another application are refused. */
  applicationId: string;
  /** Role ids whose members may start, cancel and decide; empty: every member of the server. */
  allowedRoles: readonly string[];
  /** DISCORD_CHANNEL_REPOS: channel id → owner/repo; a thread uses its parent channel's. */
  channelRepos: Readonly<Record<string, string>>;
  /** How long an interaction token works after the interaction was created (ms). */
  tokenTtlMs: number;
}

/** What the gateway learned about the Discord thread a command came from. */
export interface DiscordThreadFacts {
  /**
   * The thread was started on the response to one of agent-bot's own interactions (`/agent` in the
   * channel): that interaction's id, so the command joins that conversation and resumes its session.
   */
  startedBy?: string;
}

/** How the gateway answers Discord once Temporal has the event (or straight away, for `answer`). */
export type DiscordReplyPlan =
  /** Type 5: "agent-bot is thinking…", then the task itself edits the response into its message. */
  | { kind: 'defer' }
  /** Type 4: a message (public, or only for the person who asked). */
  | { kind: 'message'; content: string; ephemeral: boolean }
  /** Type 6: a button click is acknowledged; the task edits its message when it acts on it. */
  | { kind: 'update' };

export type DiscordRoute =
  | { kind: 'pong' }
  /** Nothing for Temporal: the answer says it all (help, a refusal, a command that needs a thread). */
  | { kind: 'answer'; content: string; ephemeral: boolean }
  | { kind: 'act'; event: Extract<RoutedEvent, { kind: 'command' | 'decision' | 'cancel' }>; reply: DiscordReplyPlan }
  | { kind: 'invalid'; message: string };

/**
 * Maps an interaction to what the gateway does, purely, so every rule is tested without a server.
 * `/agent request:<text>` in a text channel starts a conversation of its own (its response becomes the
 * task's message); inside a Discord thread it joins the thread's conversation. Clicks on agent-bot's
 * buttons decide or cancel the task the button names. The interaction's id is the command's identity, so
 * a duplicate delivery of one interaction runs once. DISCORD_ALLOWED_ROLES is checked here, where the
 * member's roles are known, and what passes is marked trusted.
 */
export function routeDiscordInteraction(payload: unknown, policy: DiscordRoutingPolicy, now: Date, facts: DiscordThreadFacts = {}): DiscordRoute {
  const head = interactionTypeSchema.safeParse(payload);
  if (!head.success) return { kind: 'invalid', message: `Discord interaction: ${describeIssues(head.error)}` };
  if (head.data.application_id !== policy.applicationId) return { kind: 'invalid', message: 'the interaction is for another application than DISCORD_APPLICATION_ID' };
  if (head.data.type === InteractionType.ping) return { kind: 'pong' };
  const parsed = interactionSchema.safeParse(payload);
  if (!parsed.success) return { kind: 'invalid', message: `Discord interaction: ${describeIssues(parsed.error)}` };
  const interaction = parsed.data;
  if (interaction.guild_id === undefined || interaction.member === undefined || interaction.channel_id === undefined) {
    return refuse('agent-bot works in server channels, not in direct messages.');
  }
  const allowed = policy.allowedRoles.length === 0 || interaction.member.roles.some((role) => policy.allowedRoles.includes(role));
  if (interaction.type === InteractionType.applicationCommand) {
    if (interaction.data?.name !== AGENT_COMMAND_NAME) return refuse(`agent-bot has no command \`/${interaction.data?.name ?? '?'}\`.`);
    if (!allowed) return refuse('Only members with one of the roles in DISCORD_ALLOWED_ROLES may use agent-bot here.');
    return routeCommand(interaction, policy, now, facts);
  }
  if (interaction.type === InteractionType.messageComponent) return routeClick(interaction, allowed);
  return refuse(`agent-bot does not handle interactions of type ${interaction.type}.`);
}

/** Where an interaction happened: the text channel, and the thread when it came from one. */
function placeOf(interaction: DiscordInteraction): { guildId: string; channelId: string; threadId?: string; name?: string } {
  const guildId = interaction.guild_id!;
  const channel = interaction.channel;
  const inThread = channel !== undefined && THREAD_CHANNEL_TYPES.includes(channel.type) && typeof channel.parent_id === 'string';
  // A text channel's own parent_id is its category: only a thread's parent is where it lives.
  if (inThread) return { guildId, channelId: channel.parent_id!, threadId: channel.id, ...(channel.name === undefined ? {} : { name: channel.name }) };
  return { guildId, channelId: interaction.channel_id!, ...(channel?.name === undefined ? {} : { name: channel.name }) };
}

function routeCommand(interaction: DiscordInteraction, policy: DiscordRoutingPolicy, now: Date, facts: DiscordThreadFacts): DiscordRoute {
  const option = interaction.data?.options?.find((candidate) => candidate.name === REQUEST_OPTION);
  const text = typeof option?.value === 'string' ? option.value : '';
  const parsed = refuseUnlistedRepo(parseThreadCommand(text, policy, now), policy);
  if (parsed.action === 'help' || parsed.action === 'unknown') return { kind: 'answer', content: parsed.helpText ?? 'Unknown command.', ephemeral: true };
  const place = placeOf(interaction);
  const repo = mappedRepo(policy.channelRepos, [place.channelId, place.threadId]);
  const user = interaction.member!.user;
  const taskId = taskIdFor('discord', interaction.id);
  const starts = parsed.action === 'run' || parsed.action === 'defer';
  let thread: ThreadRef;
  if (place.threadId === undefined) {
    // In the channel there is no conversation yet but the one this command starts: the control words
    // (status, approve, ...) belong in a task's thread.
    if (!starts) return refuse(`\`${parsed.action ?? 'run'}\` acts on a task's conversation: use it inside the task's thread (or the buttons on the task's message).`);
    const expiresAt = snowflakeTimeMs(interaction.id) + policy.tokenTtlMs;
    thread = discordThread(
      { guildId: place.guildId, channelId: place.channelId, interactionId: interaction.id, ...(place.name === undefined ? {} : { channelName: place.name }) },
      { token: { applicationId: interaction.application_id, token: interaction.token, expiresAt }, ...(repo === undefined ? {} : { repo }) },
    );
  } else {
    thread = discordThread(
      { guildId: place.guildId, channelId: place.channelId, threadId: place.threadId, ...(place.name === undefined ? {} : { threadName: place.name }), ...(facts.startedBy === undefined ? {} : { interactionId: facts.startedBy }) },
      repo === undefined ? {} : { repo },
    );
  }
  const isDecision = parsed.action === 'approve' || parsed.action === 'reject';
  const command: Command = {
    ...parsed,
    taskId,
    deliveryId: interaction.id,
    messageKey: messageKey('discord', interaction.id),
    requester: user.username,
    requesterId: user.id,
    url: thread.url ?? '',
    // Only members who passed DISCORD_ALLOWED_ROLES get this far.
    ...(isDecision ? { trusted: true } : {}),
    receivedAt: now.toISOString(),
  };
  const event = { kind: 'command' as const, thread, command, ...(isDecision ? { signalOnly: true } : {}) };
  const what = `*${escape(oneLine(parsed.request, 150))}*`;
  if (parsed.action === 'defer') return { kind: 'act', event, reply: { kind: 'message', content: `⏰ @${user.username} asked: ${what}. It runs at ${parsed.runAt ?? '?'} (task \`${taskId}\`).`, ephemeral: false } };
  if (parsed.action === 'run') {
    if (place.threadId === undefined) return { kind: 'act', event, reply: { kind: 'defer' } };
    return { kind: 'act', event, reply: { kind: 'message', content: `👀 @${user.username} asked: ${what} (task \`${taskId}\`). Its progress and answer follow in this thread.`, ephemeral: false } };
  }
  return { kind: 'act', event, reply: { kind: 'message', content: `Sent \`${parsed.action ?? 'run'}\` to this thread's conversation; agent-bot answers here.`, ephemeral: true } };
}

function routeClick(interaction: DiscordInteraction, allowed: boolean): DiscordRoute {
  const button = parseCustomId(interaction.data?.custom_id ?? '');
  if (button === undefined) return refuse('That button is not one of agent-bot\'s.');
  if (!allowed) return refuse(`Only members with one of the roles in DISCORD_ALLOWED_ROLES may ${button.action} agent-bot's tasks here.`);
  const place = placeOf(interaction);
  // The guild and the channel come from where the click happened: a button acts only on its own channel's tasks.
  const conversation = threadWorkflowId({ provider: 'discord', key: `${place.guildId}/${place.channelId}/${button.conversationId}` });
  const target = taskWorkflowId(conversation, button.taskId);
  const user = interaction.member!.user;
  if (button.action === 'cancel') return { kind: 'act', event: { kind: 'cancel', taskWorkflowId: target, by: user.username }, reply: { kind: 'update' } };
  return {
    kind: 'act',
    event: { kind: 'decision', taskWorkflowId: target, decision: { decision: button.action, by: user.username, byId: user.id, via: 'button', trusted: true } },
    reply: { kind: 'update' },
  };
}

/** A request may name only a repository DISCORD_CHANNEL_REPOS lists: anything else gets a clear answer. */
function refuseUnlistedRepo(parsed: ParsedThreadCommand, policy: Pick<DiscordRoutingPolicy, 'channelRepos'>): ParsedThreadCommand {
  if (parsed.repo === undefined || repoAllowed(policy.channelRepos, parsed.repo)) return parsed;
  const allowed = [...new Set(Object.values(policy.channelRepos))];
  const list = allowed.length === 0 ? 'none is configured (DISCORD_CHANNEL_REPOS is empty)' : allowed.map((repo) => `\`${repo}\``).join(', ');
  return { action: 'unknown', request: parsed.request, helpText: `\`${parsed.repo}\` is not a repository agent-bot may work on from Discord; the allowed ones are: ${list}.` };
}

function refuse(content: string): DiscordRoute {
  return { kind: 'answer', content, ephemeral: true };
}

function escape(text: string): string {
  return text.replace(/([\\*_~`|])/g, '\\$1');
}

