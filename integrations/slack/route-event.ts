import { mappedRepo, repoAllowed } from '../../config/repo-mapping';
import type { Command } from '../../contracts/task';
import { messageKey, taskIdFor, type ThreadRef } from '../../contracts/thread';
import type { RoutedEvent } from '../routed-event';
import { parseThreadCommand, type CommandPolicy } from '../thread-command';
import { SLACK_ACTIONS } from './render';
import { blockActionsSchema, describeIssues, eventCallbackSchema, messageEventSchema, slashCommandSchema, urlVerificationSchema, type SlackMessageEvent, type SlackSlashCommand } from './schemas';
import { requestAfterMention, slackToPlainText } from './text';
import { slackThread } from './thread';

export interface SlackRoutingPolicy extends CommandPolicy {
  /** agent-bot's own user id (`U…`): its mention starts a request; its messages never do. */
  botUserId: string;
  /** Slack user ids who may trigger and decide; empty: every human member. */
  allowedUsers: readonly string[];
  /** SLACK_CHANNEL_REPOS: channel id or name → owner/repo. */
  channelRepos: Readonly<Record<string, string>>;
  /** `https://acme.slack.com/`, for links to threads. */
  workspaceUrl?: string;
}

/** How agent-bot reads Slack requests, from the config: the routing policy without who agent-bot is. */
export type SlackSettings = Omit<SlackRoutingPolicy, 'botUserId' | 'workspaceUrl'>;

/** Where a Slack channel is, as far as the router knows: its name is looked up only when a mapping needs it. */
export interface SlackChannelFacts {
  name?: string;
}

/** What an Events API request asks: a URL check, or a routed event. */
export type SlackEventsAction = { kind: 'challenge'; challenge: string } | RoutedEvent;

/** The `challenge` of a `url_verification` request (the Events URL check), which needs no identity. */
export function slackChallenge(body: unknown): string | undefined {
  const check = urlVerificationSchema.safeParse(body);
  return check.success ? check.data.challenge : undefined;
}

/**
 * Maps an Events API body to an action: pure, so every rule is tested without a server. An
 * `app_mention`, or a `message` in a DM with the bot, is a command on the thread of that message; bot
 * messages, edits and agent-bot's own never are. A message is identified by (team, channel, ts), so
 * Slack's retries and its re-sent copies under new event ids run once.
 */
export function routeSlackEvent(body: unknown, policy: SlackRoutingPolicy, now: Date = new Date(), channel: SlackChannelFacts = {}): SlackEventsAction {
  const challenge = slackChallenge(body);
  if (challenge !== undefined) return { kind: 'challenge', challenge };
  const callback = eventCallbackSchema.safeParse(body);
  if (!callback.success) {
    const type = typeof body === 'object' && body !== null ? (body as { type?: unknown }).type : undefined;
    if (type !== 'event_callback') return { kind: 'ignored', reason: `Slack ${String(type)} requests are not handled` };
    return { kind: 'invalid', message: `Slack event: ${describeIssues(callback.error)}` };
  }
  const { team_id: team, event_id: eventId, event } = callback.data;
  if (event.type !== 'app_mention' && event.type !== 'message') return { kind: 'ignored', reason: `Slack ${event.type} events are not handled` };
  const parsed = messageEventSchema.safeParse(event);
  if (!parsed.success) return { kind: 'invalid', message: `Slack ${event.type} event: ${describeIssues(parsed.error)}` };
  const message = parsed.data;
  if (message.type === 'message' && message.channel_type !== 'im') return { kind: 'ignored', reason: 'channel messages count only when they mention agent-bot (app_mention)' };
  if (message.bot_id !== undefined || message.subtype !== undefined) return { kind: 'ignored', reason: `Slack ${message.subtype ?? 'bot'} messages never trigger` };
  if (message.user === undefined || message.user === policy.botUserId) return { kind: 'ignored', reason: 'message written by agent-bot' };
  if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(message.user)) {
    const text = requestAfterMention(message.text, policy.botUserId) ?? '';
    const decision = /^(approve|reject)\b/i.test(text);
    if (!decision) return { kind: 'ignored', reason: `user ${message.user} is not in SLACK_ALLOWED_USERS` };
  }
  const direct = message.type === 'message';
  const request = direct ? requestAfterMention(message.text, policy.botUserId) ?? slackToPlainText(message.text).trim() : requestAfterMention(message.text, policy.botUserId);
  if (request === undefined) return { kind: 'ignored', reason: 'agent-bot is not mentioned' };
  return { kind: 'command', ...commandFor(team, message, request, eventId, policy, now, channel, direct) };
}

function commandFor(team: string, message: SlackMessageEvent, request: string, eventId: string, policy: SlackRoutingPolicy, now: Date, channel: SlackChannelFacts, direct: boolean): { thread: ThreadRef; command: Command; signalOnly?: boolean } {
  const identity = `${team}/${message.channel}/${message.ts}`;
  const parsed = parseThreadCommand(request, policy, now);
  const repo = mappedRepo(policy.channelRepos, [message.channel, channel.name]);
  const thread = slackThread(
    { team, channel: message.channel, threadTs: message.thread_ts ?? message.ts },
    { ...(policy.workspaceUrl === undefined ? {} : { workspaceUrl: policy.workspaceUrl }), ...(channel.name === undefined ? {} : { channelName: channel.name }), ...(repo === undefined ? {} : { repo }), direct },
  );
  const isDecision = parsed.action === 'approve' || parsed.action === 'reject';
  const trusted = policy.allowedUsers.length === 0 ? undefined : policy.allowedUsers.includes(message.user ?? '');
  const command: Command = {
    ...refuseUnlistedRepo(parsed, policy),
    taskId: taskIdFor('slack', identity),
    deliveryId: eventId,
    messageKey: messageKey('slack', identity),
    requester: message.user ?? 'someone',
    requesterId: message.user ?? 'someone',
    messageId: message.ts,
    url: thread.url ?? '',
    ...(isDecision && trusted !== undefined ? { trusted } : {}),
    receivedAt: now.toISOString(),
  };
  return { thread, command, ...(isDecision ? { signalOnly: true } : {}) };
}

/** A request may name only a repository the workspace's mapping lists: anything else gets a clear reply. */
function refuseUnlistedRepo<T extends ReturnType<typeof parseThreadCommand>>(parsed: T, policy: Pick<SlackRoutingPolicy, 'channelRepos' | 'mention'>): T {
  if (parsed.repo === undefined || repoAllowed(policy.channelRepos, parsed.repo)) return parsed;
  const allowed = [...new Set(Object.values(policy.channelRepos))];
  const list = allowed.length === 0 ? 'none is configured (SLACK_CHANNEL_REPOS is empty)' : allowed.map((repo) => `\`${repo}\``).join(', ');
  return { action: 'unknown', request: parsed.request, helpText: `\`${parsed.repo}\` is not a repository agent-bot may work on from Slack; the allowed ones are: ${list}.` } as T;
}

/**
 * A button click: Approve/Reject decide the task named by the button's value, Cancel stops it. A button
 * may act only on a task of its own workspace and channel.
 */
export function routeSlackAction(payloadJson: string | undefined, policy: Pick<SlackRoutingPolicy, 'allowedUsers'>): RoutedEvent {
  if (payloadJson === undefined) return { kind: 'invalid', message: 'missing form field: payload' };
  let payload: unknown;
  try {
    payload = JSON.parse(payloadJson);
  } catch (error) {
    return { kind: 'invalid', message: `payload is not JSON: ${(error as Error).message}` };
  }
  const type = typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
  if (type !== 'block_actions') return { kind: 'ignored', reason: `Slack ${String(type)} interactions are not handled` };
  const parsed = blockActionsSchema.safeParse(payload);
  if (!parsed.success) return { kind: 'invalid', message: `Slack block_actions: ${describeIssues(parsed.error)}` };
  const { team, user, channel, actions } = parsed.data;
  const action = actions[0]!;
  const taskWorkflowId = action.value ?? '';
  const prefix = `slack:${team.id}/${channel?.id ?? '?'}/`;
  if (!taskWorkflowId.startsWith(prefix) || !taskWorkflowId.includes('/task/')) return { kind: 'ignored', reason: 'the button does not belong to an agent-bot task of this channel' };
  const by = user.username ?? user.name ?? user.id;
  if (action.action_id === SLACK_ACTIONS.cancel) {
    if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(user.id)) return { kind: 'ignored', reason: `user ${user.id} is not in SLACK_ALLOWED_USERS` };
    return { kind: 'cancel', taskWorkflowId, by };
  }
  if (action.action_id === SLACK_ACTIONS.approve || action.action_id === SLACK_ACTIONS.reject) {
    // The task itself checks that this person may decide (transport.mayApprove), like every channel.
    return { kind: 'decision', taskWorkflowId, decision: { decision: action.action_id === SLACK_ACTIONS.approve ? 'approve' : 'reject', by, byId: user.id, via: 'button', trusted: false } };
  }
  return { kind: 'ignored', reason: `action ${action.action_id} is not agent-bot's` };
}

/** A slash command's form, validated; the router posts the thread's first message, then routes it. */
export function parseSlashCommand(form: Record<string, string>): { ok: true; command: SlackSlashCommand } | { ok: false; message: string } {
  const parsed = slashCommandSchema.safeParse(form);
  return parsed.success ? { ok: true, command: parsed.data } : { ok: false, message: `Slack slash command: ${describeIssues(parsed.error)}` };
}

/**
 * The command a slash command becomes once its message is in the channel (`ts`): the message starts the
 * thread where the task runs, as if it had mentioned the bot.
 */
export function routeSlashCommand(slash: SlackSlashCommand, ts: string, policy: SlackRoutingPolicy, now: Date, channel: SlackChannelFacts): RoutedEvent {
  if (policy.allowedUsers.length > 0 && !policy.allowedUsers.includes(slash.user_id)) return { kind: 'ignored', reason: `user ${slash.user_id} is not in SLACK_ALLOWED_USERS` };
  const message: SlackMessageEvent = { type: 'app_mention', channel: slash.channel_id, ts, text: slash.text, user: slash.user_id };
  return { kind: 'command', ...commandFor(slash.team_id, message, slackToPlainText(slash.text).trim(), `slash-${slash.team_id}-${slash.channel_id}-${ts}`, policy, now, channel, false) };
}
