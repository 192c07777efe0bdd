import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { DiscordStandIn } from '../../support/discord-stand-in';
import { agentCommandInteraction, componentClickInteraction, discordDelivery, discordKeyPair, pingInteraction, rawPublicKey, signDiscordRequest } from '../../support/discord-deliveries';

// PROTOCOLS.md gives no Ed25519 vector for Discord, so this is RFC 8032 section 7.1, TEST 1 (empty message).
const RFC8032_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC8032_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC8032_SIGNATURE = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

/** An Ed25519 public key from the hex an app is configured with, as an app would import it. */
function publicKeyFromHex(hex: string) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

type Json = Record<string, unknown>;

describe('DiscordStandIn', () => {
  let discord: DiscordStandIn;
  let clock: number;

  const call = async (method: string, path: string, body?: unknown, auth: string | null = `Bot ${discord.botToken}`) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth !== null) headers['authorization'] = auth;
    const response = await fetch(`${discord.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as Json };
  };

  beforeEach(async () => {
    clock = Date.now();
    discord = await new DiscordStandIn({ now: () => clock }).start();
    discord.addChannel('950000000000000001', { name: 'general' });
  });

  afterEach(() => discord.stop());

  describe('signing', () => {
    it('reproduces RFC 8032 test vector 1 with Node crypto', () => {
      const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(RFC8032_SECRET, 'hex')]), format: 'der', type: 'pkcs8' });
      assert.equal(rawPublicKey(createPublicKey(privateKey)).toString('hex'), RFC8032_PUBLIC);
      assert.equal(signDiscordRequest(privateKey, '', ''), RFC8032_SIGNATURE);
      assert.equal(verify(null, Buffer.alloc(0), publicKeyFromHex(RFC8032_PUBLIC), Buffer.from(RFC8032_SIGNATURE, 'hex')), true);
    });

    it('signs timestamp + body so the app verifies it with the hex public key, and a changed body fails', () => {
      const keys = discordKeyPair();
      const delivery = discordDelivery(keys.privateKey, pingInteraction(), { timestamp: 1_700_000_000 });
      const signed = Buffer.from(`${delivery.headers['x-signature-timestamp']}${delivery.body}`);
      const signature = Buffer.from(delivery.headers['x-signature-ed25519']!, 'hex');
      assert.equal(verify(null, signed, publicKeyFromHex(keys.publicKeyHex), signature), true);
      assert.equal(verify(null, Buffer.from(`1700000000${delivery.body} `), publicKeyFromHex(keys.publicKeyHex), signature), false);
    });

    it('builds PING, /agent request:<text> and a button click', () => {
      assert.equal(pingInteraction()['type'], 1);
      const command = agentCommandInteraction('fix the login bug', { roles: ['777'], user: { id: '42', username: 'bob' } });
      assert.equal(command.type, 2);
      assert.deepEqual([command.data?.name, command.data?.options?.[0]?.name, command.data?.options?.[0]?.value], ['agent', 'request', 'fix the login bug']);
      assert.deepEqual([command.member?.user.id, command.member?.roles], ['42', ['777']]);
      for (const field of ['id', 'application_id', 'token', 'guild_id', 'channel_id']) assert.equal(typeof command[field], 'string', field);
      const click = componentClickInteraction('approve:task-1', { id: '123' });
      assert.deepEqual([click.type, click.data?.custom_id, click.message?.id], [3, 'approve:task-1', '123']);
    });
  });

  describe('interaction responses and follow-ups', () => {
    it('edits @original after a deferred response, posts follow-ups, and keeps every version', async () => {
      const interaction = discord.registerInteraction(agentCommandInteraction('fix it'));
      discord.respondToInteraction(interaction.token, { type: 5 });
      const original = discord.message(interaction.originalId!)!;
      assert.equal(original.flags & 128, 128, 'a deferred response shows as loading');

      const edited = await call('PATCH', `/webhooks/${interaction.application_id}/${interaction.token}/messages/@original`, { content: 'Working on it', components: [{ type: 1, components: [{ type: 2, style: 4, label: 'Cancel', custom_id: 'cancel' }] }] }, null);
      assert.equal(edited.status, 200);
      assert.equal(edited.body['id'], original.id);
      assert.equal(original.flags & 128, 0);
      assert.deepEqual(original.components, [{ type: 1, components: [{ type: 2, style: 4, label: 'Cancel', custom_id: 'cancel' }] }]);

      const followUp = await call('POST', `/webhooks/${interaction.application_id}/${interaction.token}`, { content: 'Done: PR #12' }, null);
      assert.equal(followUp.status, 200);
      await call('PATCH', `/webhooks/${interaction.application_id}/${interaction.token}/messages/${String(followUp.body['id'])}`, { content: 'Done: PR #12 (merged)' }, null);
      assert.deepEqual(discord.messageHistory.get(original.id)!.map((v) => v.content), ['', 'Working on it']);
      assert.deepEqual(discord.messageHistory.get(String(followUp.body['id']))!.map((v) => v.content), ['Done: PR #12', 'Done: PR #12 (merged)']);
      assert.equal((await call('PATCH', `/webhooks/1/${interaction.token}/messages/@original`, { content: 'x' }, null)).body['code'], 10015);
    });

    it('refuses the token after its lifetime with 401 Invalid Webhook Token (50027)', async () => {
      const interaction = discord.registerInteraction(agentCommandInteraction('fix it', { createdAt: clock }));
      discord.respondToInteraction(interaction.token, { type: 5 });
      clock += 15 * 60_000 - 1000;
      assert.equal((await call('PATCH', `/webhooks/${interaction.application_id}/${interaction.token}/messages/@original`, { content: 'still in time' }, null)).status, 200);
      clock += 2000;
      const late = await call('PATCH', `/webhooks/${interaction.application_id}/${interaction.token}/messages/@original`, { content: 'too late' }, null);
      assert.deepEqual([late.status, late.body], [401, { message: 'Invalid Webhook Token', code: 50027 }]);
      assert.equal((await call('POST', `/webhooks/${interaction.application_id}/${interaction.token}`, { content: 'too late' }, null)).status, 401);
    });

    it('takes the initial response on the callback endpoint within 3 seconds, once', async () => {
      const interaction = discord.registerInteraction(agentCommandInteraction('hi'));
      assert.equal((await call('POST', `/interactions/${interaction.id}/${interaction.token}/callback`, { type: 4, data: { content: 'On it' } }, null)).status, 204);
      assert.equal(discord.message(interaction.originalId!)!.content, 'On it');
      assert.equal((await call('POST', `/interactions/${interaction.id}/${interaction.token}/callback`, { type: 5 }, null)).body['code'], 40060);

      const late = discord.registerInteraction(agentCommandInteraction('hi', { createdAt: clock - 3500 }));
      assert.throws(() => discord.respondToInteraction(late.token, { type: 5 }), /Unknown interaction/);
    });

    it('lets a button click update the message that carries the button', async () => {
      const posted = await call('POST', '/channels/950000000000000001/messages', { content: 'Approve?', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Approve', custom_id: 'approve' }] }] });
      const click = discord.registerInteraction(componentClickInteraction('approve', { id: String(posted.body['id']) }));
      discord.respondToInteraction(click.token, { type: 7, data: { content: 'Approved by alice', components: [] } });
      assert.equal(click.originalId, posted.body['id']);
      assert.deepEqual(discord.messageHistory.get(click.originalId!)!.map((v) => v.content), ['Approve?', 'Approved by alice']);
    });
  });

  describe('bot messages and threads', () => {
    it('needs Authorization: Bot <token>', async () => {
      assert.deepEqual((await call('POST', '/channels/950000000000000001/messages', { content: 'x' }, null)).body, { message: '401: Unauthorized', code: 0 });
      assert.equal((await call('POST', '/channels/950000000000000001/messages', { content: 'x' }, `Bearer ${discord.botToken}`)).status, 401);
    });

    it('posts and edits messages with components, refusing content over 2,000 characters', async () => {
      const ok = await call('POST', '/channels/950000000000000001/messages', { content: 'x'.repeat(2000), components: [{ type: 1, components: [] }] });
      assert.equal(ok.status, 200);
      const tooLong = await call('POST', '/channels/950000000000000001/messages', { content: 'x'.repeat(2001) });
      assert.deepEqual([tooLong.status, tooLong.body], [400, { message: 'Invalid Form Body', code: 50035, errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } } }]);
      const id = String(ok.body['id']);
      assert.equal((await call('PATCH', `/channels/950000000000000001/messages/${id}`, { content: 'y'.repeat(2001) })).status, 400);
      assert.equal((await call('PATCH', `/channels/950000000000000001/messages/${id}`, { content: 'short' })).status, 200);
      assert.deepEqual(discord.messageHistory.get(id)!.map((v) => v.content.length), [2000, 5]);
      assert.deepEqual(discord.message(id)!.components, [{ type: 1, components: [] }]);

      const theirs = discord.addMessage('950000000000000001', 'a human wrote this');
      assert.equal((await call('PATCH', `/channels/950000000000000001/messages/${theirs.id}`, { content: 'x' })).body['code'], 50005);
      assert.equal((await call('POST', '/channels/404/messages', { content: 'x' })).body['code'], 10003);
      discord.addChannel('960000000000000001', { botCanPost: false });
      assert.equal((await call('POST', '/channels/960000000000000001/messages', { content: 'x' })).body['code'], 50001);
    });

    it('starts a thread from a message: the thread takes its id, and a second one is refused', async () => {
      const mention = discord.addMessage('950000000000000001', '@agent fix the build');
      const thread = await call('POST', `/channels/950000000000000001/messages/${mention.id}/threads`, { name: 'fix the build', auto_archive_duration: 1440 });
      assert.equal(thread.status, 201);
      assert.deepEqual([thread.body['id'], thread.body['type'], thread.body['parent_id'], thread.body['name']], [mention.id, 11, '950000000000000001', 'fix the build']);
      assert.equal((await call('POST', `/channels/${mention.id}/messages`, { content: 'Working on it' })).status, 200);
      assert.deepEqual(discord.channels.get(mention.id)!.messages.map((m) => m.content), ['Working on it']);
      assert.equal((await call('POST', `/channels/950000000000000001/messages/${mention.id}/threads`, { name: 'again' })).body['code'], 160004);
      const other = discord.addMessage('950000000000000001', 'another');
      assert.equal((await call('POST', `/channels/950000000000000001/messages/${other.id}/threads`, { name: 'n'.repeat(101) })).body['code'], 50035);
    });

    it('scripts a 429 with retry_after in the body and Retry-After / X-RateLimit headers, then lets the retry through', async () => {
      discord.rateLimitNext('POST', /\/messages$/, 0.25);
      const limited = await call('POST', '/channels/950000000000000001/messages', { content: 'x' });
      assert.deepEqual([limited.status, limited.body], [429, { message: 'You are being rate limited.', retry_after: 0.25, global: false }]);
      assert.equal(limited.headers.get('retry-after'), '1');
      assert.equal(limited.headers.get('x-ratelimit-scope'), 'user');
      assert.equal((await call('POST', '/channels/950000000000000001/messages', { content: 'x' })).status, 200);

      discord.failNext('POST', /\/messages$/, 429, 1, { headers: { 'retry-after': '2' } });
      const plain = await call('POST', '/channels/950000000000000001/messages', { content: 'x' });
      assert.deepEqual([plain.body['retry_after'], plain.headers.get('retry-after'), plain.headers.get('x-ratelimit-remaining')], [2, '2', '0']);
      discord.failNext('PATCH', /@original$/, 503, 1);
      const interaction = discord.registerInteraction(agentCommandInteraction('x'));
      discord.respondToInteraction(interaction.token, { type: 5 });
      assert.equal((await call('PATCH', `/webhooks/${interaction.application_id}/${interaction.token}/messages/@original`, { content: 'x' }, null)).status, 503);
    });
  });
});
