import type { SlackErrorAnswer } from './slack-limits';

/**
 * Slack messages as the stand-in keeps them, and the pure parts of the methods that read and react to them:
 * https://docs.slack.dev/reference/methods/reactions.add, https://docs.slack.dev/reference/methods/reactions.remove,
 * https://docs.slack.dev/reference/methods/conversations.replies (cursor paging, https://docs.slack.dev/apis/web-api/pagination).
 */
export interface SlackReaction {
  name: string;
  users: string[];
  count: number;
}

/** A message in Slack's shape (what conversations.replies returns), plus reactions. */
export interface SlackMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  blocks?: unknown[];
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  files?: { id: string; name: string; title: string }[];
  edited?: { user: string; ts: string };
  /** Message metadata (https://docs.slack.dev/messaging/message-metadata): returned only when asked for. */
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  reactions: SlackReaction[];
}

export interface SlackChannel {
  id: string;
  name: string;
  is_im: boolean;
  is_private: boolean;
  /** Whether the bot is in the channel: posting elsewhere answers `not_in_channel`. */
  isMember: boolean;
  messages: SlackMessage[];
}

export interface SlackUser {
  id: string;
  name: string;
  real_name: string;
  is_bot: boolean;
}
/** Adds or removes the bot's reaction, answering `already_reacted`, `no_reaction` or `invalid_name` as Slack does. */
export function react(message: SlackMessage, botUser: string, name: string, add: boolean): { ok: true } | SlackErrorAnswer {
  if (name === '' || name.includes(':') || /\s/.test(name)) return { ok: false, error: 'invalid_name' };
  const reaction = message.reactions.find((r) => r.name === name);
  const mine = reaction?.users.includes(botUser) ?? false;
  if (add) {
    if (mine) return { ok: false, error: 'already_reacted' };
    if (reaction) reaction.users.push(botUser);
    else message.reactions.push({ name, users: [botUser], count: 0 });
  } else {
    if (!mine) return { ok: false, error: 'no_reaction' };
    reaction!.users = reaction!.users.filter((u) => u !== botUser);
    if (reaction!.users.length === 0) message.reactions = message.reactions.filter((r) => r !== reaction);
  }
  for (const r of message.reactions) r.count = r.users.length;
  return { ok: true };
}

/**
 * One page of a thread (parent first): at most `limit` messages (1–1000, default 1000), `has_more`, and an opaque
 * `response_metadata.next_cursor` (base64 of `next_ts:<ts>`, like Slack's), empty on the last page.
 */
export function repliesPage(thread: SlackMessage[], limitArg: unknown, cursorArg: unknown, withMetadata = false): Record<string, unknown> | SlackErrorAnswer {
  const limit = Math.min(Math.max(Number(limitArg ?? 1000) || 1000, 1), 1000);
  const cursor = typeof cursorArg === 'string' && cursorArg !== '' ? Buffer.from(cursorArg, 'base64').toString('utf8') : undefined;
  if (cursor !== undefined && !cursor.startsWith('next_ts:')) return { ok: false, error: 'invalid_cursor' };
  const start = cursor === undefined ? 0 : thread.findIndex((m) => m.ts === cursor.slice('next_ts:'.length));
  if (start < 0) return { ok: false, error: 'invalid_cursor' };
  const next = thread[start + limit];
  return {
    ok: true,
    messages: thread.slice(start, start + limit).map((message) => shapeMessage(message, withMetadata)),
    has_more: next !== undefined,
    response_metadata: { next_cursor: next === undefined ? '' : Buffer.from(`next_ts:${next.ts}`).toString('base64') },
  };
}

/** A message as Slack's API returns it: no `channel` field, no empty `reactions`. */
export function shapeMessage(message: SlackMessage, withMetadata = false): Record<string, unknown> {
  const shaped: Record<string, unknown> = { ...message };
  delete shaped['channel'];
  if (!withMetadata) delete shaped['metadata'];
  if (message.reactions.length === 0) delete shaped['reactions'];
  else shaped['reactions'] = message.reactions.map((r) => ({ ...r, users: [...r.users] }));
  return shaped;
}
