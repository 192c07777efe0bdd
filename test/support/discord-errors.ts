import type { Reply } from './stand-in-server';

/**
 * Discord's error answers (https://docs.discord.com/developers/topics/opcodes-and-status-codes#json-json-error-codes):
 * `{"message", "code"}`, and for validation `{"message": "Invalid Form Body", "code": 50035, "errors": {<field>:
 * {"_errors": [{"code", "message"}]}}}`, which discord.js prints as `content[BASE_TYPE_MAX_LENGTH]: Must be 2000 or
 * fewer in length.`. Snowflakes: https://docs.discord.com/developers/reference#snowflakes.
 */

export const DISCORD_EPOCH = 1_420_070_400_000;
export const DISCORD_CONTENT_MAX = 2000;
export const DISCORD_ACTION_ROWS_MAX = 5;

export const discordErrors = {
  unauthorized: { status: 401, body: { message: '401: Unauthorized', code: 0 } },
  invalidWebhookToken: { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } },
  unknownWebhook: { status: 404, body: { message: 'Unknown Webhook', code: 10015 } },
  unknownChannel: { status: 404, body: { message: 'Unknown Channel', code: 10003 } },
  unknownMessage: { status: 404, body: { message: 'Unknown Message', code: 10008 } },
  missingAccess: { status: 403, body: { message: 'Missing Access', code: 50001 } },
  notAuthor: { status: 403, body: { message: 'Cannot edit a message authored by another user', code: 50005 } },
  emptyMessage: { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } },
  threadExists: { status: 400, body: { message: 'A thread has already been created for this message', code: 160004 } },
} satisfies Record<string, Reply>;

export function invalidFormBody(field: string, code: string, message: string): Reply {
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: { [field]: { _errors: [{ code, message }] } } } };
}

let increment = 0;

/** A snowflake whose timestamp is `at` (ms since the Unix epoch). */
export function snowflake(at = Date.now()): string {
  increment = (increment + 1) % 4096;
  return ((BigInt(at - DISCORD_EPOCH) << 22n) | BigInt(increment)).toString();
}

/** When a snowflake was made, in ms since the Unix epoch. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

/** Checks a message body's `content` and `components` as Discord does; undefined when they pass. */
export function checkMessageBody(body: { content?: unknown; components?: unknown; embeds?: unknown }, creating: boolean): Reply | undefined {
  const content = typeof body.content === 'string' ? body.content : undefined;
  if (content !== undefined && content.length > DISCORD_CONTENT_MAX) return invalidFormBody('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${DISCORD_CONTENT_MAX} or fewer in length.`);
  if (Array.isArray(body.components) && body.components.length > DISCORD_ACTION_ROWS_MAX) return invalidFormBody('components', 'BASE_TYPE_MAX_LENGTH', `Must be ${DISCORD_ACTION_ROWS_MAX} or fewer in length.`);
  const empty = (content ?? '') === '' && !(Array.isArray(body.components) && body.components.length > 0) && !(Array.isArray(body.embeds) && body.embeds.length > 0);
  return creating && empty ? discordErrors.emptyMessage : undefined;
}
