import { type KeyObject, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { snowflake } from './discord-errors';

/**
 * What Discord POSTs to an app's Interactions Endpoint URL
 * (https://docs.discord.com/developers/interactions/receiving-and-responding): JSON interactions signed with Ed25519
 * over `X-Signature-Timestamp + raw body`, the hex signature in `X-Signature-Ed25519`, verified with the app's
 * public key (the hex string the developer portal shows). Interaction object:
 * https://docs.discord.com/developers/interactions/receiving-and-responding#interaction-object
 * (PING type 1, APPLICATION_COMMAND type 2 with `data.name`/`data.options`, MESSAGE_COMPONENT type 3 with
 * `data.custom_id` and `message`). Keys come from Node's crypto; no curve code here.
 */

export const DISCORD_APPLICATION_ID = '1100000000000000001';
export const DISCORD_GUILD_ID = '900000000000000001';

export interface DiscordKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte public key in hex, as the developer portal shows it and as an app is configured with. */
  publicKeyHex: string;
}

export function discordKeyPair(): DiscordKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, publicKeyHex: rawPublicKey(publicKey).toString('hex') };
}

/** The 32 raw bytes of an Ed25519 public key (the end of its SPKI encoding). */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** Hex Ed25519 signature of `timestamp + rawBody`, for `X-Signature-Ed25519`. */
export function signDiscordRequest(privateKey: KeyObject, timestamp: string | number, rawBody: string | Buffer): string {
  return sign(null, Buffer.concat([Buffer.from(String(timestamp)), Buffer.from(rawBody)]), privateKey).toString('hex');
}

export interface SignedDiscordDelivery {
  headers: Record<string, string>;
  body: string;
}

export function discordDelivery(privateKey: KeyObject, payload: unknown, options: { timestamp?: number } = {}): SignedDiscordDelivery {
  const body = JSON.stringify(payload);
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Discord-Interactions/1.0 (+https://discord.com)',
      'x-signature-ed25519': signDiscordRequest(privateKey, timestamp, body),
      'x-signature-timestamp': timestamp,
    },
    body,
  };
}

/** An interaction as delivered: the fields the stand-in and an app key on, plus the rest of Discord's object. */
export interface InteractionPayload extends InteractionFields {
  type: number;
}

interface InteractionFields {
  id: string;
  application_id: string;
  token: string;
  channel_id?: string;
  guild_id?: string;
  member?: { user: { id: string; username: string; [field: string]: unknown }; roles: string[]; [field: string]: unknown };
  data?: { name?: string; options?: { name: string; type: number; value: unknown }[]; custom_id?: string; component_type?: number; [field: string]: unknown };
  message?: { id: string; content?: string; components?: unknown[]; [field: string]: unknown };
  [field: string]: unknown;
}

function interactionToken(): string {
  return `aW50ZXJhY3Rpb246${randomBytes(96).toString('base64url')}`;
}

export interface DiscordInteractionOptions {
  /** When Discord created the interaction; its id and so its token's age follow from it. Default: now. */
  createdAt?: number;
  applicationId?: string;
  guildId?: string;
  channelId?: string;
  user?: { id: string; username: string };
  roles?: string[];
}

function common(options: DiscordInteractionOptions): InteractionFields & { channel_id: string } {
  const guildId = options.guildId ?? DISCORD_GUILD_ID;
  const channelId = options.channelId ?? '950000000000000001';
  const user = options.user ?? { id: '800000000000000001', username: 'alice' };
  return {
    id: snowflake(options.createdAt),
    application_id: options.applicationId ?? DISCORD_APPLICATION_ID,
    token: interactionToken(),
    version: 1,
    guild_id: guildId,
    channel_id: channelId,
    channel: { id: channelId, type: 0, guild_id: guildId, name: 'general' },
    member: {
      user: { id: user.id, username: user.username, global_name: user.username, discriminator: '0', avatar: null },
      roles: options.roles ?? [],
      permissions: '2248473465835073',
      joined_at: '2024-01-01T00:00:00.000000+00:00',
      nick: null,
    },
    app_permissions: '2248473465835073',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guildId },
    context: 0,
  };
}

/** PING, Discord's check of the endpoint: answer `{"type": 1}`. */
export function pingInteraction(options: { applicationId?: string } = {}): InteractionPayload {
  return { id: snowflake(), application_id: options.applicationId ?? DISCORD_APPLICATION_ID, type: 1, token: interactionToken(), version: 1, user: { id: '643945264868098049', username: 'discord', discriminator: '0' } };
}

/** `/agent request:<text>`: an APPLICATION_COMMAND (type 2) with one string option. */
export function agentCommandInteraction(text: string, options: DiscordInteractionOptions = {}): InteractionPayload {
  return { ...common(options), type: 2, data: { id: '1200000000000000001', name: 'agent', type: 1, options: [{ name: 'request', type: 3, value: text }] } };
}

/** A button click: MESSAGE_COMPONENT (type 3) on the message that carries the button. */
export function componentClickInteraction(customId: string, message: { id: string; content?: string; components?: unknown[] }, options: DiscordInteractionOptions = {}): InteractionPayload {
  const base = common(options);
  const app = base.application_id;
  return {
    ...base,
    type: 3,
    data: { custom_id: customId, component_type: 2 },
    message: { id: message.id, channel_id: base.channel_id, content: message.content ?? '', components: message.components ?? [], author: { id: app, username: 'agent-bot', bot: true }, type: 0, flags: 0 },
  };
}
