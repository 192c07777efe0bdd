import { createHmac, randomBytes } from 'node:crypto';

/**
 * What Slack POSTs to an app: Events API callbacks, interactivity payloads and slash commands, signed as
 * https://docs.slack.dev/authentication/verifying-requests-from-slack describes.
 * Payload shapes: https://docs.slack.dev/reference/events/app_mention, https://docs.slack.dev/reference/events/message.im,
 * https://docs.slack.dev/reference/events/url_verification, https://docs.slack.dev/reference/interaction-payloads/block_actions-payload,
 * https://docs.slack.dev/interactivity/implementing-slash-commands.
 */

export const SLACK_TEAM_ID = 'T0TEAM0001';
export const SLACK_APP_ID = 'A0AGENTAPP';
export const SLACK_BOT_USER_ID = 'U0AGENTBOT';

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's signing secret. */
export function signSlackRequest(secret: string, timestamp: number | string, rawBody: string | Buffer): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

export interface SignedDelivery {
  headers: Record<string, string>;
  body: string;
}

/**
 * Headers and body of one signed delivery. `timestamp` defaults to now (Slack's clock); `retryNum` /
 * `retryReason` add the headers Slack sends when it re-delivers an event it thinks went unanswered.
 */
export function signedSlackDelivery(secret: string, body: string, options: { timestamp?: number; form?: boolean; retryNum?: number; retryReason?: string } = {}): SignedDelivery {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': options.form === true ? 'application/x-www-form-urlencoded' : 'application/json',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signSlackRequest(secret, timestamp, body),
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  return { headers, body };
}

function eventId(): string {
  return `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
}

/** An `event_callback` envelope around one event, as the Events API sends it. */
export function eventCallback(event: Record<string, unknown>, options: { eventId?: string; eventTime?: number } = {}): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: SLACK_TEAM_ID,
    api_app_id: SLACK_APP_ID,
    event,
    type: 'event_callback',
    event_id: options.eventId ?? eventId(),
    event_time: options.eventTime ?? Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: SLACK_TEAM_ID, user_id: SLACK_BOT_USER_ID, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(JSON.stringify({ et: event['type'], tid: SLACK_TEAM_ID, aid: SLACK_APP_ID, cid: event['channel'] })).toString('base64')}`,
  };
}

/**
 * An `app_mention` in a channel. In a thread it carries `thread_ts` (the parent's ts); a top-level mention
 * has none, and its own `ts` starts the thread. `text` is as Slack encodes it (mentions as `<@U…>`).
 */
export function appMentionEvent(options: { text: string; channel: string; user: string; ts: string; threadTs?: string; eventId?: string }): Record<string, unknown> {
  const event: Record<string, unknown> = {
    type: 'app_mention',
    user: options.user,
    text: options.text,
    ts: options.ts,
    channel: options.channel,
    event_ts: options.ts,
    team: SLACK_TEAM_ID,
    client_msg_id: randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
  };
  if (options.threadTs !== undefined) event['thread_ts'] = options.threadTs;
  return eventCallback(event, { eventId: options.eventId });
}

/** A direct message to the bot (`message` event with `channel_type: im`). */
export function directMessageEvent(options: { text: string; channel: string; user: string; ts: string; threadTs?: string; eventId?: string }): Record<string, unknown> {
  const event: Record<string, unknown> = { type: 'message', channel: options.channel, user: options.user, text: options.text, ts: options.ts, event_ts: options.ts, channel_type: 'im', team: SLACK_TEAM_ID };
  if (options.threadTs !== undefined) event['thread_ts'] = options.threadTs;
  return eventCallback(event, { eventId: options.eventId });
}

/** The handshake Slack sends when the Request URL is set; the app must echo `challenge`. */
export function urlVerification(challenge = randomBytes(16).toString('hex')): Record<string, unknown> {
  return { token: 'legacy-verification-token', challenge, type: 'url_verification' };
}

/** A button click: a `block_actions` payload, form-encoded as `payload=<json>`. Returns the raw form body. */
export function blockActionsForm(options: { actionId: string; value?: string; user: string; channel: string; messageTs: string; threadTs?: string; blockId?: string; responseUrl?: string }): string {
  const payload = {
    type: 'block_actions',
    user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase(), team_id: SLACK_TEAM_ID },
    api_app_id: SLACK_APP_ID,
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: options.messageTs, channel_id: options.channel, is_ephemeral: false, ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }) },
    trigger_id: `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`,
    team: { id: SLACK_TEAM_ID, domain: 'acme' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: options.channel, name: options.channel.toLowerCase() },
    message: { type: 'message', ts: options.messageTs, user: SLACK_BOT_USER_ID, bot_id: 'B0AGENTBOT', text: '', ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }) },
    state: { values: {} },
    response_url: options.responseUrl ?? `https://hooks.slack.com/actions/${SLACK_TEAM_ID}/1/${randomBytes(12).toString('hex')}`,
    actions: [{ action_id: options.actionId, block_id: options.blockId ?? 'actions', text: { type: 'plain_text', text: options.actionId, emoji: true }, value: options.value ?? '', type: 'button', action_ts: `${Math.floor(Date.now() / 1000)}.000100` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A slash command, form-encoded as Slack sends it. Returns the raw form body. */
export function slashCommandForm(options: { command: string; text: string; user: string; channel: string; responseUrl?: string }): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: SLACK_TEAM_ID,
    team_domain: 'acme',
    channel_id: options.channel,
    channel_name: options.channel.toLowerCase(),
    user_id: options.user,
    user_name: options.user.toLowerCase(),
    command: options.command,
    text: options.text,
    api_app_id: SLACK_APP_ID,
    is_enterprise_install: 'false',
    response_url: options.responseUrl ?? `https://hooks.slack.com/commands/${SLACK_TEAM_ID}/1/${randomBytes(12).toString('hex')}`,
    trigger_id: `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`,
  }).toString();
}
