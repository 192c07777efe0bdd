import { z } from 'zod';
import type { ThreadRef } from '../../contracts/thread';
import { SNOWFLAKE } from './snowflake';

/**
 * Where a Discord conversation lives. `/agent` used in a text channel starts a conversation of its own,
 * named by the interaction (its response message does not exist yet when the gateway must name the
 * conversation); `/agent` used inside a Discord thread belongs to that thread.
 */
export interface DiscordAddress {
  guildId: string;
  /** The text channel: where the command was used, or the parent of the thread it was used in. */
  channelId: string;
  /** The interaction whose response is the conversation's first message (`/agent` in a channel). */
  interactionId?: string;
  applicationId?: string;
  /**
   * That interaction's token: for 15 minutes anyone who has it may edit the response. It is in the
   * workflow's history (the thread is workflow input); it is never logged nor shown in summaries.
   */
  token?: string;
  /** When the token stops working, in ms since the Unix epoch. */
  tokenExpiresAt?: number;
  /** The Discord thread the conversation lives in, when known when it started. */
  threadId?: string;
}

const snowflake = z.string().regex(SNOWFLAKE);
const addressSchema = z
  .object({
    guildId: snowflake,
    channelId: snowflake,
    interactionId: snowflake.optional(),
    applicationId: snowflake.optional(),
    token: z.string().min(1).optional(),
    tokenExpiresAt: z.number().int().positive().optional(),
    threadId: snowflake.optional(),
  })
  .refine((address) => address.interactionId !== undefined || address.threadId !== undefined, 'an interaction id or a thread id');

export interface DiscordPlace {
  guildId: string;
  channelId: string;
  channelName?: string;
  /** Set for a conversation started by `/agent` in the channel. */
  interactionId?: string;
  /** Set for a conversation in a Discord thread (or one known to continue there). */
  threadId?: string;
  threadName?: string;
}

/**
 * The thread of a Discord conversation, `discord:<guild id>/<channel id>/<interaction or thread id>`: the
 * conversation's own id is the interaction that started it in a channel, or the Discord thread it lives in.
 * @throws Error when the place names neither.
 */
export function discordThread(place: DiscordPlace, options: { token?: { applicationId: string; token: string; expiresAt: number }; repo?: string } = {}): ThreadRef {
  const conversation = place.interactionId ?? place.threadId;
  if (conversation === undefined) throw new Error('a Discord conversation needs an interaction id or a thread id');
  const where = place.channelName === undefined ? place.channelId : `#${place.channelName}`;
  const address: Record<string, string | number> = { guildId: place.guildId, channelId: place.channelId };
  if (place.interactionId !== undefined) address['interactionId'] = place.interactionId;
  if (place.threadId !== undefined) address['threadId'] = place.threadId;
  if (options.token !== undefined) Object.assign(address, { applicationId: options.token.applicationId, token: options.token.token, tokenExpiresAt: options.token.expiresAt });
  return {
    provider: 'discord',
    key: `${place.guildId}/${place.channelId}/${conversation}`,
    label: `${where} › ${place.threadName ?? conversation}`,
    kind: 'Discord thread',
    url: `https://discord.com/channels/${place.guildId}/${place.threadId ?? place.channelId}`,
    ...(options.repo === undefined ? {} : { repo: options.repo }),
    address,
  };
}

/**
 * The address of a Discord thread, validated (threads come back from workflow history).
 * @throws Error when the thread is not a Discord thread or its address is incomplete; the message never
 * carries the address itself (it may hold a token).
 */
export function discordAddress(thread: ThreadRef): DiscordAddress {
  if (thread.provider !== 'discord') throw new Error(`not a Discord thread: ${thread.provider}:${thread.key}`);
  const parsed = addressSchema.safeParse(thread.address);
  if (!parsed.success) throw new Error(`Discord thread ${thread.key} has an invalid address (${parsed.error.issues.map((issue) => issue.path.join('.') || issue.message).join(', ')})`);
  return parsed.data;
}

/** The conversation's own id: the last part of its key (the interaction or the thread). */
export function conversationIdOf(thread: Pick<ThreadRef, 'key'>): string {
  return thread.key.slice(thread.key.lastIndexOf('/') + 1);
}
