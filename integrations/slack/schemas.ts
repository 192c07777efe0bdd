import { z } from 'zod';

/**
 * Only the fields agent-bot reads of Slack's payloads; everything else passes through unread.
 * Events API: https://docs.slack.dev/apis/events-api/ ; app_mention and message events:
 * https://docs.slack.dev/reference/events/app_mention, https://docs.slack.dev/reference/events/message.im
 */
export const urlVerificationSchema = z.object({ type: z.literal('url_verification'), challenge: z.string().min(1) });

export const eventCallbackSchema = z.object({
  type: z.literal('event_callback'),
  team_id: z.string().min(1),
  event_id: z.string().min(1),
  event: z.object({ type: z.string() }).passthrough(),
});

/** An `app_mention`, or a `message` (we act on those in a DM with the bot: `channel_type: im`). */
export const messageEventSchema = z.object({
  type: z.enum(['app_mention', 'message']),
  channel: z.string().min(1),
  ts: z.string().regex(/^\d+\.\d+$/),
  thread_ts: z.string().regex(/^\d+\.\d+$/).optional(),
  text: z.string().optional().default(''),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  channel_type: z.string().optional(),
  team: z.string().optional(),
});
export type SlackMessageEvent = z.infer<typeof messageEventSchema>;

/**
 * A button click (`block_actions`, https://docs.slack.dev/reference/interaction-payloads/block_actions-payload),
 * posted as the form field `payload`.
 */
export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: z.string().min(1) }),
  user: z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }),
  channel: z.object({ id: z.string().min(1) }).optional(),
  actions: z.array(z.object({ action_id: z.string().min(1), value: z.string().optional() })).min(1),
});
export type SlackBlockActions = z.infer<typeof blockActionsSchema>;

/** A slash command's form (https://docs.slack.dev/interactivity/implementing-slash-commands). */
export const slashCommandSchema = z.object({
  team_id: z.string().min(1),
  channel_id: z.string().min(1),
  user_id: z.string().min(1),
  user_name: z.string().optional(),
  command: z.string().min(1),
  text: z.string().default(''),
});
export type SlackSlashCommand = z.infer<typeof slashCommandSchema>;

/** `field.path: message; ...`, for a 400 that says which field is wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}
