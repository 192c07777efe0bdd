import { z } from 'zod';
import { SNOWFLAKE } from './snowflake';

/**
 * Only the fields agent-bot reads of Discord's payloads; everything else passes through unread.
 * Interaction object: https://docs.discord.com/developers/interactions/receiving-and-responding#interaction-object
 */
const snowflake = z.string().regex(SNOWFLAKE, 'expected a Discord id');

/** https://docs.discord.com/developers/interactions/receiving-and-responding#interaction-object-interaction-type */
export const InteractionType = { ping: 1, applicationCommand: 2, messageComponent: 3 } as const;

/** https://docs.discord.com/developers/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type */
export const ResponseType = { pong: 1, message: 4, deferredMessage: 5, deferredUpdate: 6, updateMessage: 7 } as const;

/** Message flags (https://docs.discord.com/developers/resources/message#message-object-message-flags). */
export const MessageFlags = { suppressEmbeds: 1 << 2, ephemeral: 1 << 6 } as const;

/** Thread channel types: announcement, public and private threads (https://docs.discord.com/developers/resources/channel#channel-object-channel-types). */
export const THREAD_CHANNEL_TYPES: readonly number[] = [10, 11, 12];

/** Only `type` first: a PING carries no guild, channel nor member. */
export const interactionTypeSchema = z.object({ type: z.number().int(), id: snowflake, application_id: snowflake });

const userSchema = z.object({ id: snowflake, username: z.string().min(1), global_name: z.string().nullish() });

/** An APPLICATION_COMMAND or MESSAGE_COMPONENT interaction. */
export const interactionSchema = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  /** A partial channel: `parent_id` is the thread's channel for threads, a category for text channels. */
  channel: z.object({ id: snowflake, type: z.number().int(), name: z.string().optional(), parent_id: snowflake.nullish() }).optional(),
  /** In a server: who, with their role ids. */
  member: z.object({ user: userSchema, roles: z.array(snowflake) }).optional(),
  /** In a DM: who. */
  user: userSchema.optional(),
  data: z
    .object({
      name: z.string().optional(),
      options: z.array(z.object({ name: z.string(), type: z.number().int(), value: z.unknown().optional() })).optional(),
      custom_id: z.string().optional(),
    })
    .optional(),
  message: z.object({ id: snowflake }).optional(),
});
export type DiscordInteraction = z.infer<typeof interactionSchema>;

/** A message as the HTTP API answers it (https://docs.discord.com/developers/resources/message#message-object). */
export const messageSchema = z.object({
  id: snowflake,
  channel_id: snowflake,
  content: z.string().optional(),
  author: z.object({ id: snowflake }).optional(),
  webhook_id: snowflake.optional(),
  application_id: snowflake.optional(),
  /** The interaction this message answers (its original response carries it). */
  interaction_metadata: z.object({ id: snowflake }).nullish(),
  /** Deprecated predecessor of `interaction_metadata`, still sent. */
  interaction: z.object({ id: snowflake }).nullish(),
  /** The thread started on this message, if any: its id is the message's. */
  thread: z.object({ id: snowflake }).nullish(),
});
export type DiscordMessage = z.infer<typeof messageSchema>;

/** Discord's error body (https://docs.discord.com/developers/topics/opcodes-and-status-codes#json). */
export const errorBodySchema = z.object({
  message: z.string().optional(),
  code: z.number().int().optional(),
  /** 429 only: seconds, with a fraction. */
  retry_after: z.number().nonnegative().optional(),
  global: z.boolean().optional(),
  errors: z.unknown().optional(),
});

/** `field.path: message; ...`, for a 400 that says which field is wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}
