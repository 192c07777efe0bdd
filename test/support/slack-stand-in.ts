import type http from 'node:http';
import { type Reply, type RecordedRequest, StandInServer } from './stand-in-server';
import { SLACK_TEXT_MAX, type SlackErrorAnswer, checkBlocks, parseBlocks } from './slack-limits';
import { type SlackFile, completeUpload, receiveUpload, startUpload } from './slack-files';
import { type SlackChannel, type SlackMessage, type SlackUser, react, repliesPage, shapeMessage } from './slack-messages';

export type { SlackChannel, SlackMessage, SlackReaction, SlackUser } from './slack-messages';

export interface SlackStandInOptions {
  /** The bot token the stand-in accepts (as `Authorization: Bearer`, or a `token` form field). */
  token?: string;
  /** Text longer than this is refused or truncated (see `longText`); default 40,000. */
  textLimit?: number;
  /** What Slack does with longer text: answer `msg_too_long` (default) or truncate it. */
  longText?: 'msg_too_long' | 'truncate';
  /** The token refused from the start (see `refuseToken`), e.g. for a gateway that starts with a revoked token. */
  refuseToken?: TokenRefusal;
}

/**
 * How Slack refuses a token it knew: `token_revoked` (the app was uninstalled or the token revoked),
 * `invalid_auth`, `account_inactive` (the bot user deactivated). Only `methods` when given (e.g. only
 * `auth.test`), every method otherwise.
 */
export interface TokenRefusal {
  error: string;
  methods?: readonly string[];
}

type Args = Record<string, unknown>;
type Answer = Record<string, unknown> | SlackErrorAnswer;

/**
 * A stand-in for the Slack Web API (https://docs.slack.dev/reference/methods), as `@slack/web-api` 8.2's
 * `new WebClient(token, { slackApiUrl: standIn.url + '/api/' })` calls it: every method is a POST to
 * `/api/<method>` with a form-encoded body (or JSON), the token as a bearer, and an HTTP 200 answer
 * `{ok: true, ...}` or `{ok: false, error}`; 429 carries `Retry-After` in seconds.
 *
 * Answers follow the method pages: auth.test, chat.postMessage, chat.update, chat.postEphemeral,
 * reactions.add / reactions.remove, conversations.replies (cursor paging), conversations.info, users.info,
 * files.getUploadURLExternal + the upload POST + files.completeUploadExternal (see slack-files.ts).
 */
export class SlackStandIn extends StandInServer {
  readonly token: string;
  readonly team = { id: 'T0TEAM0001', name: 'Acme', domain: 'acme' };
  readonly bot = { user_id: 'U0AGENTBOT', bot_id: 'B0AGENTBOT', app_id: 'A0AGENTAPP', name: 'agent-bot' };
  readonly channels = new Map<string, SlackChannel>();
  readonly users = new Map<string, SlackUser>();
  readonly files = new Map<string, SlackFile>();
  readonly ephemerals: { channel: string; user: string; text: string; blocks?: unknown[]; thread_ts?: string; message_ts: string }[] = [];
  /** Every version of every message (the original first), by `channel/ts`: shows edits in place. */
  readonly messageHistory = new Map<string, { text: string; blocks?: unknown[] }[]>();
  private readonly textLimit: number;
  private readonly longText: 'msg_too_long' | 'truncate';
  private refusal: TokenRefusal | undefined;
  /**
   * Message timestamps count up from a random second, so two stand-ins (two tests on one Temporal server)
   * never make the same thread id.
   */
  private clock = (1_700_000_000 + Math.floor(Math.random() * 100_000_000)) * 1_000_000;

  constructor(options: SlackStandInOptions = {}) {
    super();
    this.token = options.token ?? 'xoxb-test-token';
    this.textLimit = options.textLimit ?? SLACK_TEXT_MAX;
    this.longText = options.longText ?? 'msg_too_long';
    this.refusal = options.refuseToken;
    this.addUser({ id: this.bot.user_id, name: this.bot.name, real_name: 'Agent Bot', is_bot: true });
  }

  addChannel(id: string, options: { name?: string; isMember?: boolean; isIm?: boolean; isPrivate?: boolean } = {}): SlackChannel {
    const channel: SlackChannel = {
      id,
      name: options.name ?? id.toLowerCase(),
      is_im: options.isIm ?? id.startsWith('D'),
      is_private: options.isPrivate ?? false,
      isMember: options.isMember ?? true,
      messages: [],
    };
    this.channels.set(id, channel);
    return channel;
  }

  addUser(user: SlackUser): void {
    this.users.set(user.id, user);
  }

  /** A message a person posted (e.g. the mention that starts a thread); returns it with its new `ts`. */
  postAsUser(channel: string, options: { user: string; text: string; thread_ts?: string }): SlackMessage {
    const target = this.channels.get(channel) ?? this.addChannel(channel);
    return this.store(target, { type: 'message', channel, ts: this.nextTs(), text: options.text, user: options.user, team: this.team.id, thread_ts: options.thread_ts, reactions: [] });
  }

  message(channel: string, ts: string): SlackMessage | undefined {
    return this.channels.get(channel)?.messages.find((m) => m.ts === ts);
  }

  /** A thread's messages, the parent first, in `ts` order. */
  thread(channel: string, threadTs: string): SlackMessage[] {
    return (this.channels.get(channel)?.messages ?? []).filter((m) => m.ts === threadTs || m.thread_ts === threadTs);
  }

  /** Versions of a message's text, the original first. */
  edits(channel: string, ts: string): string[] {
    return (this.messageHistory.get(`${channel}/${ts}`) ?? []).map((v) => v.text);
  }

  /** Scripts `{ok: false, error}` answers for an API method, e.g. `failWithError('chat.postMessage', 'fatal_error')`. */
  failWithError(apiMethod: string, error: string, times = 1): void {
    this.failNext('POST', new RegExp(`^/api/${apiMethod.replace(/\./g, '\\.')}$`), 200, times, { body: { ok: false, error } });
  }

  /**
   * From now on the stand-in's own token is refused with `error` (HTTP 200 `{ok: false, error}`, as Slack
   * answers), by `methods` only when given; `acceptToken` takes it back.
   */
  refuseToken(error: string, methods?: readonly string[]): void {
    this.refusal = { error, ...(methods === undefined ? {} : { methods }) };
  }

  acceptToken(): void {
    this.refusal = undefined;
  }

  /** A `ts` like Slack's: seconds and microseconds, unique and increasing. */
  nextTs(): string {
    this.clock += 100;
    return `${Math.floor(this.clock / 1e6)}.${String(this.clock % 1e6).padStart(6, '0')}`;
  }

  protected override parseBody(raw: Buffer, headers: http.IncomingHttpHeaders): unknown {
    // Multipart bodies (the file upload) are decoded asynchronously by the upload route.
    if ((headers['content-type'] ?? '').startsWith('multipart/form-data')) return undefined;
    return super.parseBody(raw, headers);
  }

  protected override failureReply(status: number): Reply {
    if (status === 429) return { status, body: { ok: false, error: 'ratelimited' } };
    if (status >= 500) return { status, body: `<html><body>${status} upstream error</body></html>` };
    return { status, body: { ok: false, error: 'fatal_error' } };
  }

  protected override async route(request: RecordedRequest): Promise<Reply> {
    const upload = /^\/upload\/v1\/([A-Z0-9]+)$/.exec(request.path);
    if (upload && request.method === 'POST') return receiveUpload(this.files, upload[1]!, request);
    const match = /^\/api\/([a-zA-Z.]+)$/.exec(request.path);
    if (!match) return { status: 404, body: 'Not Found' };
    const args: Args = { ...Object.fromEntries(request.query), ...(typeof request.body === 'object' && request.body !== null ? (request.body as Args) : {}) };
    const auth = this.checkAuth(request, args, match[1]!);
    if (auth !== undefined) return { status: 200, body: auth };
    return { status: 200, body: this.call(match[1]!, args) };
  }

  private checkAuth(request: RecordedRequest, args: Args, method: string): SlackErrorAnswer | undefined {
    const bearer = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1];
    const isJson = (request.headers['content-type'] ?? '').includes('json');
    // A JSON body cannot carry the token: Slack reads it only from the header then.
    const token = bearer ?? (isJson ? undefined : (args['token'] as string | undefined));
    if (token === undefined || token === '') return { ok: false, error: 'not_authed' };
    if (token !== this.token) return { ok: false, error: 'invalid_auth' };
    const refusal = this.refusal;
    if (refusal === undefined || (refusal.methods !== undefined && !refusal.methods.includes(method))) return undefined;
    return { ok: false, error: refusal.error };
  }

  private call(method: string, args: Args): Answer {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: `https://${this.team.domain}.slack.com/`, team: this.team.name, user: this.bot.name, team_id: this.team.id, user_id: this.bot.user_id, bot_id: this.bot.bot_id, is_enterprise_install: false };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.update(args);
      case 'chat.postEphemeral':
        return this.postEphemeral(args);
      case 'reactions.add':
      case 'reactions.remove':
        return this.react(args, method === 'reactions.add');
      case 'conversations.replies':
        return this.replies(args);
      case 'conversations.info': {
        const channel = this.channels.get(String(args['channel']));
        if (!channel) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { id: channel.id, name: channel.name, is_channel: !channel.is_im && !channel.is_private, is_group: channel.is_private, is_im: channel.is_im, is_private: channel.is_private, is_member: channel.isMember, created: 1_600_000_000 } };
      }
      case 'users.info': {
        const user = this.users.get(String(args['user']));
        if (!user) return { ok: false, error: 'user_not_found' };
        return { ok: true, user: { ...user, team_id: this.team.id, deleted: false, profile: { real_name: user.real_name, display_name: user.name } } };
      }
      case 'files.getUploadURLExternal':
        return startUpload(this.files, args, this.url);
      case 'files.completeUploadExternal':
        return completeUpload(this.files, args, (channel, thread_ts, text, files) => this.shareFiles(channel, thread_ts, text, files));
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /** Finds the channel a write goes to, or the error Slack answers. */
  private writable(id: unknown): SlackChannel | SlackErrorAnswer {
    const channel = this.channels.get(String(id));
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    if (!channel.isMember) return { ok: false, error: 'not_in_channel' };
    return channel;
  }

  /** Validates text and blocks as Slack does; returns them, possibly truncated, or the error. */
  private content(args: Args, required: boolean): { text: string; blocks?: unknown[] } | SlackErrorAnswer {
    let text = typeof args['text'] === 'string' ? args['text'] : '';
    const parsed = parseBlocks(args['blocks']);
    if (parsed.error) return parsed.error;
    if (parsed.blocks) {
      const invalid = checkBlocks(parsed.blocks);
      if (invalid) return invalid;
    }
    if (required && text === '' && !parsed.blocks && args['attachments'] === undefined) return { ok: false, error: 'no_text' };
    if (text.length > this.textLimit) {
      if (this.longText === 'msg_too_long') return { ok: false, error: 'msg_too_long' };
      text = text.slice(0, this.textLimit);
    }
    return { text, blocks: parsed.blocks };
  }

  private postMessage(args: Args): Answer {
    const channel = this.writable(args['channel']);
    if ('error' in channel) return channel;
    const content = this.content(args, true);
    if ('error' in content) return content;
    const threadTs = typeof args['thread_ts'] === 'string' && args['thread_ts'] !== '' ? args['thread_ts'] : undefined;
    const metadata = parseMetadata(args['metadata']);
    const message = this.store(channel, { type: 'message', channel: channel.id, ts: this.nextTs(), ...content, ...this.botFields(), thread_ts: threadTs, ...(metadata === undefined ? {} : { metadata }), reactions: [] });
    return { ok: true, channel: channel.id, ts: message.ts, message: shapeMessage(message) };
  }

  private update(args: Args): Answer {
    const channel = this.channels.get(String(args['channel']));
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const message = channel.messages.find((m) => m.ts === args['ts']);
    if (message === undefined) return { ok: false, error: 'message_not_found' };
    if (message.bot_id !== this.bot.bot_id) return { ok: false, error: 'cant_update_message' };
    const content = this.content(args, false);
    if ('error' in content) return content;
    message.text = content.text;
    if (content.blocks !== undefined) message.blocks = content.blocks;
    const metadata = parseMetadata(args['metadata']);
    if (metadata !== undefined) message.metadata = metadata;
    message.edited = { user: this.bot.user_id, ts: this.nextTs() };
    this.messageHistory.get(`${channel.id}/${message.ts}`)?.push({ text: message.text, blocks: message.blocks });
    return { ok: true, channel: channel.id, ts: message.ts, text: message.text, message: shapeMessage(message) };
  }

  private postEphemeral(args: Args): Answer {
    const channel = this.writable(args['channel']);
    if ('error' in channel) return channel;
    if (!this.users.has(String(args['user']))) return { ok: false, error: 'user_not_found' };
    const content = this.content(args, true);
    if ('error' in content) return content;
    const messageTs = this.nextTs();
    this.ephemerals.push({ channel: channel.id, user: String(args['user']), ...content, thread_ts: args['thread_ts'] as string | undefined, message_ts: messageTs });
    return { ok: true, message_ts: messageTs };
  }

  private react(args: Args, add: boolean): Answer {
    const channel = this.channels.get(String(args['channel']));
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const message = channel.messages.find((m) => m.ts === args['timestamp']);
    if (message === undefined) return { ok: false, error: 'message_not_found' };
    return react(message, this.bot.user_id, typeof args['name'] === 'string' ? args['name'] : '', add);
  }

  private replies(args: Args): Answer {
    const channel = this.channels.get(String(args['channel']));
    if (channel === undefined) return { ok: false, error: 'channel_not_found' };
    const found = channel.messages.find((m) => m.ts === args['ts']);
    if (found === undefined) return { ok: false, error: 'thread_not_found' };
    const withMetadata = args['include_all_metadata'] === true || args['include_all_metadata'] === 'true';
    return repliesPage(this.thread(channel.id, found.thread_ts ?? found.ts), args['limit'], args['cursor'], withMetadata);
  }

  private shareFiles(channelId: string, threadTs: string | undefined, text: string, files: SlackFile[]): SlackErrorAnswer | undefined {
    const channel = this.writable(channelId);
    if ('error' in channel) return channel;
    this.store(channel, { type: 'message', channel: channel.id, ts: this.nextTs(), text, ...this.botFields(), thread_ts: threadTs, files: files.map((f) => ({ id: f.id, name: f.filename, title: f.title })), reactions: [] });
    return undefined;
  }

  private botFields(): Pick<SlackMessage, 'user' | 'bot_id' | 'app_id' | 'team'> {
    return { user: this.bot.user_id, bot_id: this.bot.bot_id, app_id: this.bot.app_id, team: this.team.id };
  }

  private store(channel: SlackChannel, message: SlackMessage): SlackMessage {
    if (message.thread_ts === undefined) delete message.thread_ts;
    if (message.blocks === undefined) delete message.blocks;
    channel.messages.push(message);
    this.messageHistory.set(`${channel.id}/${message.ts}`, [{ text: message.text, blocks: message.blocks }]);
    const parent = message.thread_ts === undefined ? undefined : channel.messages.find((m) => m.ts === message.thread_ts);
    if (parent !== undefined && parent !== message) {
      parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      parent.latest_reply = message.ts;
    }
    return message;
  }
}

/** `metadata` as @slack/web-api sends it: an object in JSON bodies, a JSON string in form bodies. */
function parseMetadata(value: unknown): SlackMessage['metadata'] {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { event_type: eventType, event_payload: payload } = parsed as { event_type?: unknown; event_payload?: unknown };
  if (typeof eventType !== 'string' || typeof payload !== 'object' || payload === null) return undefined;
  return { event_type: eventType, event_payload: payload as Record<string, unknown> };
}
