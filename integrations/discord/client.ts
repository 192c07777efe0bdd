import { z } from 'zod';
import { DiscordConfigError, DiscordHttpError, DiscordNetworkError, describeFormErrors } from './errors';
import { errorBodySchema, messageSchema, type DiscordMessage } from './schemas';

export interface DiscordClientOptions {
  /** `https://discord.com/api/v10`, or a stand-in's; no trailing slash. */
  apiUrl: string;
  /** Only the bot routes need it (threads, channel messages, commands); interaction webhooks do not. */
  botToken: string | undefined;
  /** Per request (ms): a hung connection must not hold an activity slot until its timeout. */
  requestTimeoutMs?: number;
}

/** What agent-bot writes in a message (https://docs.discord.com/developers/resources/message#create-message-jsonform-params). */
export interface MessageBody {
  content?: string;
  components?: unknown[];
  flags?: number;
  /** Always `{ parse: [] }` from agent-bot: an answer that says `@everyone` must not ping a whole server. */
  allowed_mentions?: { parse: string[] };
}

/** An application command as `npm run discord:register` writes it (https://docs.discord.com/developers/interactions/application-commands). */
export interface CommandDefinition {
  name: string;
  description: string;
  type: number;
  options: { type: number; name: string; description: string; required: boolean; max_length?: number }[];
  contexts?: number[];
  integration_types?: number[];
}

/**
 * The few calls of the Discord HTTP API agent-bot makes, over Node's `fetch`. No client library: no
 * Discord library is installed, the calls are few, and a plain `fetch` lets every failure be classified
 * once (errors.ts) without a library's retries hiding 429s from Temporal, or its error messages quoting
 * the request URL, which for interaction webhooks carries the token.
 */
export interface DiscordClient {
  readonly hasBotToken: boolean;
  /** PATCH `/webhooks/{app}/{token}/messages/@original`: the interaction's response, while its token lives. */
  editOriginal(applicationId: string, token: string, body: MessageBody): Promise<DiscordMessage>;
  /** POST `/webhooks/{app}/{token}`: a follow-up message to the interaction, while its token lives. */
  followUp(applicationId: string, token: string, body: MessageBody): Promise<DiscordMessage>;
  /** GET `/webhooks/{app}/{token}/messages/@original`. */
  getOriginal(applicationId: string, token: string): Promise<DiscordMessage>;
  /** POST `/channels/{id}/messages` with the bot token (a thread is a channel). */
  createMessage(channelId: string, body: MessageBody): Promise<DiscordMessage>;
  /** PATCH `/channels/{id}/messages/{id}` with the bot token: only the bot's own messages. */
  editMessage(channelId: string, messageId: string, body: MessageBody): Promise<DiscordMessage>;
  getMessage(channelId: string, messageId: string): Promise<DiscordMessage>;
  /** GET `/channels/{id}/messages?after=&limit=` (1..100): the messages right after `after`. */
  listMessages(channelId: string, query: { after?: string; limit?: number }): Promise<DiscordMessage[]>;
  /** POST `/channels/{id}/messages/{id}/threads`: a public thread on the message, with the message's id. */
  startThread(channelId: string, messageId: string, body: { name: string; auto_archive_duration: number }): Promise<{ id: string }>;
  /** PUT `/channels/{id}/messages/{id}/reactions/{emoji}/@me`: idempotent. */
  addReaction(channelId: string, messageId: string, emoji: string): Promise<void>;
  /** PUT `/applications/{app}/commands` (or a guild's): replaces all the application's commands there. */
  overwriteCommands(applicationId: string, guildId: string | undefined, commands: readonly CommandDefinition[]): Promise<{ id: string; name: string }[]>;
}

const threadSchema = z.object({ id: z.string().min(1) });
const commandsSchema = z.array(z.object({ id: z.string().min(1), name: z.string() }));

export function createDiscordClient(options: DiscordClientOptions): DiscordClient {
  const base = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  async function request(method: string, path: string, auth: 'bot' | 'token', body?: unknown): Promise<unknown> {
    // https://docs.discord.com/developers/reference#user-agent: Discord asks bots for this form.
    const headers: Record<string, string> = { 'user-agent': 'DiscordBot (https://github.com/agent-bot/agent-bot, 0.1.0)' };
    if (auth === 'bot') {
      if (options.botToken === undefined) throw new DiscordConfigError('DISCORD_BOT_TOKEN is not set on this worker');
      headers['authorization'] = `Bot ${options.botToken}`;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      // Never the error's own message: some quote the URL, and webhook URLs carry the token.
      const name = error instanceof Error ? error.name : 'Error';
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new DiscordNetworkError(name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${name}${typeof code === 'string' ? ` ${code}` : ''}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw httpError(response, text);
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new DiscordNetworkError(`HTTP ${response.status} with a body that is not JSON`);
    }
  }

  const message = (value: unknown, what: string): DiscordMessage => {
    const parsed = messageSchema.safeParse(value);
    if (!parsed.success) throw new DiscordNetworkError(`unexpected answer to ${what}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return parsed.data;
  };
  const webhook = (applicationId: string, token: string): string => `/webhooks/${applicationId}/${encodeURIComponent(token)}`;

  return {
    hasBotToken: options.botToken !== undefined,
    async editOriginal(applicationId, token, body) {
      return message(await request('PATCH', `${webhook(applicationId, token)}/messages/@original`, 'token', body), 'editing the original response');
    },
    async followUp(applicationId, token, body) {
      return message(await request('POST', webhook(applicationId, token), 'token', body), 'posting a follow-up');
    },
    async getOriginal(applicationId, token) {
      return message(await request('GET', `${webhook(applicationId, token)}/messages/@original`, 'token'), 'reading the original response');
    },
    async createMessage(channelId, body) {
      return message(await request('POST', `/channels/${channelId}/messages`, 'bot', body), 'posting a message');
    },
    async editMessage(channelId, messageId, body) {
      return message(await request('PATCH', `/channels/${channelId}/messages/${messageId}`, 'bot', body), 'editing a message');
    },
    async getMessage(channelId, messageId) {
      return message(await request('GET', `/channels/${channelId}/messages/${messageId}`, 'bot'), 'reading a message');
    },
    async listMessages(channelId, query) {
      const params = new URLSearchParams();
      if (query.after !== undefined) params.set('after', query.after);
      params.set('limit', String(Math.min(100, Math.max(1, query.limit ?? 50))));
      const answer = await request('GET', `/channels/${channelId}/messages?${params.toString()}`, 'bot');
      if (!Array.isArray(answer)) throw new DiscordNetworkError('unexpected answer to listing messages: not an array');
      return answer.map((item) => message(item, 'listing messages'));
    },
    async startThread(channelId, messageId, body) {
      const parsed = threadSchema.safeParse(await request('POST', `/channels/${channelId}/messages/${messageId}/threads`, 'bot', body));
      if (!parsed.success) throw new DiscordNetworkError('unexpected answer to starting a thread');
      return parsed.data;
    },
    async addReaction(channelId, messageId, emoji) {
      await request('PUT', `/channels/${channelId}/messages/${messageId}/reactions/${encodeURIComponent(emoji)}/@me`, 'bot');
    },
    async overwriteCommands(applicationId, guildId, commands) {
      const path = guildId === undefined ? `/applications/${applicationId}/commands` : `/applications/${applicationId}/guilds/${guildId}/commands`;
      const parsed = commandsSchema.safeParse(await request('PUT', path, 'bot', commands));
      if (!parsed.success) throw new DiscordNetworkError('unexpected answer to registering commands');
      return parsed.data;
    },
  };
}

/** A non-2xx answer as a DiscordHttpError: Discord's code and words, and for a 429 how long to wait. */
function httpError(response: Response, text: string): DiscordHttpError {
  let body: z.infer<typeof errorBodySchema> = {};
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) body = parsed.data;
  } catch {
    // Not JSON (a proxy's page): the status says enough.
  }
  const form = describeFormErrors(body.errors);
  const detail = [body.message ?? (response.statusText || 'no message'), ...form].join('; ').slice(0, 500);
  if (response.status !== 429) return new DiscordHttpError(response.status, body.code || undefined, detail);
  // https://docs.discord.com/developers/topics/rate-limits#exceeding-a-rate-limit: `retry_after` (seconds,
  // fractional) in the body; `Retry-After` (whole seconds) as the fallback.
  const header = Number(response.headers.get('retry-after'));
  const retryAfterMs = body.retry_after !== undefined ? Math.ceil(body.retry_after * 1000) : Number.isFinite(header) && header > 0 ? header * 1000 : undefined;
  const global = body.global === true || response.headers.get('x-ratelimit-global') === 'true';
  return new DiscordHttpError(429, body.code || undefined, detail, retryAfterMs, global);
}
