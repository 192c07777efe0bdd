import { type Reply, type RecordedRequest, StandInServer } from './stand-in-server';
import { checkMessageBody, discordErrors, invalidFormBody, snowflake, snowflakeTime } from './discord-errors';

export interface DiscordMessage {
  id: string;
  channel_id: string;
  content: string;
  components: unknown[];
  embeds: unknown[];
  author: { id: string; username: string; bot?: boolean };
  timestamp: string;
  edited_timestamp: string | null;
  type: number;
  flags: number;
  webhook_id?: string;
  application_id?: string;
  thread?: Record<string, unknown>;
  /** On an interaction's response: the interaction it answers. */
  interaction_metadata?: { id: string; type: number };
  /** Reactions the bot added (`PUT …/reactions/{emoji}/@me`), by emoji. */
  reactions?: string[];
}

export interface DiscordChannel {
  id: string;
  type: number;
  guild_id: string;
  name: string;
  parent_id?: string;
  /** Whether the bot may post here; otherwise 403 Missing Access. */
  botCanPost: boolean;
  messages: DiscordMessage[];
}

/** An interaction the stand-in knows of, and the app's initial response to it. */
export interface DiscordInteraction {
  id: string;
  token: string;
  application_id: string;
  channel_id: string;
  guild_id?: string;
  /** 2 (application command) or 3 (component): what the response's `interaction_metadata` names. */
  type: number;
  message?: { id: string; content?: string; components?: unknown[] };
  /** The type of the app's initial response (4, 5, 6 or 7); undefined until it responded. */
  responseType?: number;
  originalId?: string;
}

export interface DiscordStandInOptions {
  botToken?: string;
  applicationId?: string;
  /** How long an interaction token works for follow-ups and edits: 15 minutes by default. */
  tokenLifetimeMs?: number;
  /** How soon the initial response must come: 3 seconds by default, then 404 Unknown interaction. */
  initialResponseWindowMs?: number;
  /** The stand-in's clock; interaction ages come from their snowflake ids. */
  now?: () => number;
}

const LOADING = 128;

/**
 * A stand-in for the Discord HTTP API v10 (https://docs.discord.com/developers/reference, base `/api/v10`):
 * interaction responses and follow-ups (https://docs.discord.com/developers/interactions/receiving-and-responding:
 * `POST /interactions/{id}/{token}/callback`, `PATCH|GET /webhooks/{app}/{token}/messages/@original`,
 * `POST /webhooks/{app}/{token}`, `PATCH /webhooks/{app}/{token}/messages/{id}`; tokens work for 15 minutes, after
 * which Discord answers 401 `{"message": "Invalid Webhook Token", "code": 50027}`), and bot calls with
 * `Authorization: Bot <token>`: `POST /channels/{id}/messages`, `PATCH /channels/{id}/messages/{id}`,
 * `POST /channels/{id}/messages/{id}/threads` (the thread takes the message's id). `content` is limited to 2,000
 * characters and components to 5 action rows (50035 Invalid Form Body). Scripted 429s carry `retry_after` in the
 * body and `Retry-After` / `X-RateLimit-*` headers (https://docs.discord.com/developers/topics/rate-limits).
 * Checked against the docs only: no Discord client library is installed here; tests call it with fetch.
 */
export class DiscordStandIn extends StandInServer {
  readonly botToken: string;
  readonly applicationId: string;
  readonly channels = new Map<string, DiscordChannel>();
  readonly interactions = new Map<string, DiscordInteraction>();
  /** Every version of every message (content and components), the first one first, by message id. */
  readonly messageHistory = new Map<string, { content: string; components: unknown[] }[]>();
  /** Application commands as the last bulk overwrite left them: `global`, or a guild id. */
  readonly commands = new Map<string, Record<string, unknown>[]>();
  private readonly tokenLifetimeMs: number;
  private readonly initialResponseWindowMs: number;
  private readonly now: () => number;

  constructor(options: DiscordStandInOptions = {}) {
    super();
    this.botToken = options.botToken ?? 'discord-bot-token';
    this.applicationId = options.applicationId ?? '1100000000000000001';
    this.tokenLifetimeMs = options.tokenLifetimeMs ?? 15 * 60_000;
    this.initialResponseWindowMs = options.initialResponseWindowMs ?? 3000;
    this.now = options.now ?? Date.now;
  }

  get apiUrl(): string {
    return `${this.url}/api/v10`;
  }

  addChannel(id: string, options: { guildId?: string; name?: string; botCanPost?: boolean } = {}): DiscordChannel {
    const channel: DiscordChannel = { id, type: 0, guild_id: options.guildId ?? '900000000000000001', name: options.name ?? `channel-${id}`, botCanPost: options.botCanPost ?? true, messages: [] };
    this.channels.set(id, channel);
    return channel;
  }

  /** A message someone posted (e.g. one the agent starts a thread from). */
  addMessage(channelId: string, content: string, author = { id: '800000000000000001', username: 'alice' }): DiscordMessage {
    const channel = this.channels.get(channelId) ?? this.addChannel(channelId);
    return this.store(channel, { content, components: [] }, author);
  }

  message(id: string): DiscordMessage | undefined {
    for (const channel of this.channels.values()) {
      const found = channel.messages.find((m) => m.id === id);
      if (found) return found;
    }
    return undefined;
  }

  /** Makes an interaction known, as Discord knows every interaction it sent (pass the delivered payload). */
  registerInteraction(interaction: { id: string; token: string; application_id: string; type?: number; channel_id?: string; guild_id?: string; message?: DiscordInteraction['message'] }): DiscordInteraction {
    if (interaction.channel_id === undefined) throw new Error('an interaction without a channel (a PING) has no follow-ups');
    const known: DiscordInteraction = { id: interaction.id, token: interaction.token, application_id: interaction.application_id, type: interaction.type ?? 2, channel_id: interaction.channel_id, guild_id: interaction.guild_id, message: interaction.message };
    this.interactions.set(known.token, known);
    if (!this.channels.has(known.channel_id)) this.addChannel(known.channel_id, { guildId: known.guild_id });
    return known;
  }

  /**
   * The app's initial response, as it answered the interaction POST (e.g. `{type: 5}` to defer): from then on
   * `@original` exists. Throws Discord's error if the response is invalid.
   */
  respondToInteraction(token: string, response: { type: number; data?: Record<string, unknown> }): void {
    const refused = this.initialResponse(token, response);
    if (refused) throw new Error(`Discord refused the response: ${JSON.stringify(refused.body)}`);
  }

  /** Scripts a 429 like Discord's: `retry_after` in the body, `Retry-After` and `X-RateLimit-*` headers. */
  rateLimitNext(method: string, pattern: RegExp, retryAfterSeconds: number, times = 1, options: { global?: boolean } = {}): void {
    const headers: Record<string, string> = { 'retry-after': String(Math.ceil(retryAfterSeconds)), 'x-ratelimit-reset-after': retryAfterSeconds.toFixed(3), 'x-ratelimit-scope': options.global === true ? 'global' : 'user' };
    if (options.global === true) headers['x-ratelimit-global'] = 'true';
    this.failNext(method, pattern, 429, times, { headers, body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: options.global === true } });
  }

  protected override failureReply(status: number, _request: RecordedRequest, headers: Record<string, string>): Reply {
    if (status === 429) {
      const retryAfter = Number(headers['retry-after'] ?? 1);
      return { status, headers: { 'retry-after': String(retryAfter), 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': retryAfter.toFixed(3), 'x-ratelimit-bucket': 'a06de2ab3c3bd1d1e1e0b5f2f1c9e5d7', 'x-ratelimit-scope': 'user' }, body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false } };
    }
    return { status, body: { message: `${status}: ${status >= 500 ? 'Internal Server Error' : 'Scripted'}`, code: 0 } };
  }

  protected override route(request: RecordedRequest): Reply {
    const path = request.path.replace(/^\/api\/v10(?=\/)/, '');
    if (path === request.path) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { method } = request;
    let m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path);
    if (m && method === 'POST') {
      const interaction = this.interactions.get(m[2]!);
      if (interaction === undefined || interaction.id !== m[1]) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
      return this.initialResponse(interaction.token, body as { type: number; data?: Record<string, unknown> }) ?? { status: 204 };
    }
    m = /^\/webhooks\/(\d+)\/([^/]+)(?:\/messages\/(@original|\d+))?$/.exec(path);
    if (m) return this.webhook(m[1]!, m[2]!, m[3], method, body);
    if (request.authorization !== `Bot ${this.botToken}`) return discordErrors.unauthorized;
    m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path);
    if (m && method === 'PUT') return this.overwriteCommands(m[1]!, m[2], request.body);
    m = /^\/channels\/(\d+)\/messages\/(\d+)\/reactions\/([^/]+)\/@me$/.exec(path);
    if (m && method === 'PUT') return this.react(m[1]!, m[2]!, decodeURIComponent(m[3]!));
    m = /^\/channels\/(\d+)\/messages(?:\/(\d+)(\/threads)?)?$/.exec(path);
    if (!m) return { status: 404, body: { message: '404: Not Found', code: 0 } };
    const channel = this.channels.get(m[1]!);
    if (channel === undefined) return discordErrors.unknownChannel;
    if (!channel.botCanPost) return discordErrors.missingAccess;
    if (m[2] === undefined && method === 'POST') return this.create(channel, body, this.botAuthor());
    if (m[2] === undefined && method === 'GET') return this.list(channel, request.query);
    const message = channel.messages.find((x) => x.id === m[2]);
    if (message === undefined) return discordErrors.unknownMessage;
    if (m[3] !== undefined && method === 'POST') return this.startThread(channel, message, body);
    if (m[3] === undefined && method === 'PATCH') return message.author.id === this.applicationId ? this.edit(message, body) : discordErrors.notAuthor;
    if (m[3] === undefined && method === 'GET') return { status: 200, body: message };
    return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
  }

  private webhook(applicationId: string, token: string, target: string | undefined, method: string, body: Record<string, unknown>): Reply {
    const interaction = this.interactions.get(token);
    if (interaction === undefined || this.now() - snowflakeTime(interaction.id) > this.tokenLifetimeMs) return discordErrors.invalidWebhookToken;
    if (applicationId !== interaction.application_id) return discordErrors.unknownWebhook;
    const channel = this.channels.get(interaction.channel_id)!;
    if (target === undefined && method === 'POST') return this.create(channel, body, this.botAuthor(), interaction.application_id);
    const id = target === '@original' ? interaction.originalId : target;
    const message = id === undefined ? undefined : channel.messages.find((x) => x.id === id && (x.webhook_id === interaction.application_id || x.id === interaction.originalId));
    if (message === undefined) return discordErrors.unknownMessage;
    if (method === 'PATCH') return this.edit(message, body);
    if (method === 'GET') return { status: 200, body: message };
    return { status: 405, body: { message: '405: Method Not Allowed', code: 0 } };
  }

  private initialResponse(token: string, response: { type: number; data?: Record<string, unknown> }): Reply | undefined {
    const interaction = this.interactions.get(token);
    if (interaction === undefined || this.now() - snowflakeTime(interaction.id) > this.initialResponseWindowMs) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    if (interaction.responseType !== undefined) return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    const channel = this.channels.get(interaction.channel_id)!;
    const data = response.data ?? {};
    if (response.type === 4 || response.type === 5) {
      const refused = checkMessageBody(data, response.type === 4);
      if (refused) return refused;
      const created = this.store(channel, { content: typeof data['content'] === 'string' ? data['content'] : '', components: (data['components'] as unknown[] | undefined) ?? [] }, this.botAuthor(), interaction.application_id);
      if (response.type === 5) created.flags |= LOADING;
      created.interaction_metadata = { id: interaction.id, type: interaction.type };
      interaction.originalId = created.id;
    } else if (response.type === 6 || response.type === 7) {
      const source = interaction.message;
      if (source === undefined) return invalidFormBody('type', 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is invalid for this interaction.');
      const existing = channel.messages.find((x) => x.id === source.id);
      if (existing === undefined) this.store(channel, { content: source.content ?? '', components: source.components ?? [] }, this.botAuthor(), interaction.application_id, source.id);
      interaction.originalId = source.id;
      if (response.type === 7) this.edit(channel.messages.find((x) => x.id === source.id)!, data);
    } else {
      return invalidFormBody('type', 'BASE_TYPE_CHOICES', `Value must be one of {4, 5, 6, 7}.`);
    }
    interaction.responseType = response.type;
    return undefined;
  }

  /**
   * `GET /channels/{id}/messages` (https://docs.discord.com/developers/resources/message#get-channel-messages):
   * newest first; with `after`, the `limit` (1..100, default 50) messages right after that id.
   */
  private list(channel: DiscordChannel, query: URLSearchParams): Reply {
    const limit = Number(query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalidFormBody('limit', 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 100.');
    const after = query.get('after');
    const byId = [...channel.messages].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const page = after === null ? byId.slice(-limit) : byId.filter((message) => BigInt(message.id) > BigInt(after)).slice(0, limit);
    return { status: 200, body: page.reverse() };
  }

  /** `PUT /channels/{id}/messages/{id}/reactions/{emoji}/@me`: 204, and a second time changes nothing. */
  private react(channelId: string, messageId: string, emoji: string): Reply {
    const channel = this.channels.get(channelId);
    if (channel === undefined) return discordErrors.unknownChannel;
    const message = channel.messages.find((x) => x.id === messageId);
    if (message === undefined) return discordErrors.unknownMessage;
    message.reactions ??= [];
    if (!message.reactions.includes(emoji)) message.reactions.push(emoji);
    return { status: 204 };
  }

  /**
   * `PUT /applications/{app}/commands` and `/applications/{app}/guilds/{guild}/commands`: bulk overwrite
   * (https://docs.discord.com/developers/interactions/application-commands#bulk-overwrite-global-application-commands).
   * A command keeps its id across overwrites (matched by name), as Discord's does.
   */
  private overwriteCommands(applicationId: string, guildId: string | undefined, body: unknown): Reply {
    if (applicationId !== this.applicationId) return { status: 403, body: { message: 'Missing Access', code: 50001 } };
    if (!Array.isArray(body)) return invalidFormBody('_', 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
    const scope = guildId ?? 'global';
    const before = this.commands.get(scope) ?? [];
    const stored: Record<string, unknown>[] = [];
    for (const [index, item] of (body as Record<string, unknown>[]).entries()) {
      const name = item['name'];
      if (typeof name !== 'string' || !/^[-_\p{L}\p{N}]{1,32}$/u.test(name) || name !== name.toLowerCase()) return invalidFormBody(`${index}.name`, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      const description = item['description'];
      if (typeof description !== 'string' || description.length < 1 || description.length > 100) return invalidFormBody(`${index}.description`, 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
      const id = before.find((command) => command['name'] === name)?.['id'] ?? snowflake(this.now());
      stored.push({ ...item, id, application_id: applicationId, ...(guildId === undefined ? {} : { guild_id: guildId }), version: snowflake(this.now()) });
    }
    this.commands.set(scope, stored);
    return { status: 200, body: stored };
  }

  private create(channel: DiscordChannel, body: Record<string, unknown>, author: DiscordMessage['author'], webhookId?: string): Reply {
    const refused = checkMessageBody(body, true);
    if (refused) return refused;
    const message = this.store(channel, { content: typeof body['content'] === 'string' ? body['content'] : '', components: (body['components'] as unknown[] | undefined) ?? [], embeds: (body['embeds'] as unknown[] | undefined) ?? [] }, author, webhookId);
    return { status: 200, body: message };
  }

  private edit(message: DiscordMessage, body: Record<string, unknown>): Reply {
    const refused = checkMessageBody(body, false);
    if (refused) return refused;
    if (typeof body['content'] === 'string') message.content = body['content'];
    if (Array.isArray(body['components'])) message.components = body['components'];
    if (Array.isArray(body['embeds'])) message.embeds = body['embeds'];
    message.flags &= ~LOADING;
    message.edited_timestamp = new Date(this.now()).toISOString();
    this.messageHistory.get(message.id)?.push({ content: message.content, components: message.components });
    return { status: 200, body: message };
  }

  private startThread(channel: DiscordChannel, message: DiscordMessage, body: Record<string, unknown>): Reply {
    const name = typeof body['name'] === 'string' ? body['name'] : '';
    if (name.length < 1 || name.length > 100) return invalidFormBody('name', 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    if (message.thread !== undefined) return discordErrors.threadExists;
    const autoArchive = typeof body['auto_archive_duration'] === 'number' ? body['auto_archive_duration'] : 4320;
    const created = new Date(this.now()).toISOString();
    const thread: DiscordChannel = { id: message.id, type: 11, guild_id: channel.guild_id, name, parent_id: channel.id, botCanPost: true, messages: [] };
    this.channels.set(thread.id, thread);
    const json = { id: thread.id, type: 11, guild_id: thread.guild_id, parent_id: channel.id, owner_id: this.applicationId, name, last_message_id: null, message_count: 0, member_count: 1, rate_limit_per_user: 0, flags: 0, total_message_sent: 0, thread_metadata: { archived: false, auto_archive_duration: autoArchive, archive_timestamp: created, locked: false, create_timestamp: created } };
    message.thread = json;
    return { status: 201, body: json };
  }

  private botAuthor(): DiscordMessage['author'] {
    return { id: this.applicationId, username: 'agent-bot', bot: true };
  }

  private store(channel: DiscordChannel, content: { content: string; components: unknown[]; embeds?: unknown[] }, author: DiscordMessage['author'], webhookId?: string, id?: string): DiscordMessage {
    const message: DiscordMessage = { id: id ?? snowflake(this.now()), channel_id: channel.id, content: content.content, components: content.components, embeds: content.embeds ?? [], author, timestamp: new Date(this.now()).toISOString(), edited_timestamp: null, type: 0, flags: 0 };
    if (webhookId !== undefined) Object.assign(message, { webhook_id: webhookId, application_id: webhookId });
    channel.messages.push(message);
    this.messageHistory.set(message.id, [{ content: message.content, components: message.components }]);
    return message;
  }
}
