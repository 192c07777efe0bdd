import { randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { loadConfig, type Config } from '../../config/load';
import { statusQuery } from '../../contracts/messages';
import { targetWorkflowId, taskWorkflowId } from '../../contracts/target';
import { createAgentWorkers, type AgentWorkers } from '../../workers/agent-worker';
import { startGateway, type RunningGateway } from '../../workers/gateway-server';
import { agentCommandInteraction, componentClickInteraction, discordDelivery, discordKeyPair, DISCORD_GUILD_ID, type DiscordKeyPair, type InteractionPayload } from './discord-deliveries';
import { DiscordStandIn } from './discord-stand-in';
import { GithubStandIn } from './github-stand-in';
import { jiraDelivery } from './jira-deliveries';
import { JiraStandIn, type JiraStandInOptions } from './jira-stand-in';
import { sentryDelivery } from './sentry-deliveries';
import { SentryStandIn, type SentryStandInOptions } from './sentry-stand-in';
import { SlackStandIn, type SlackStandInOptions } from './slack-stand-in';
import { appMentionEvent, blockActionsForm, directMessageEvent, signedSlackDelivery, slashCommandForm, SLACK_TEAM_ID } from './slack-deliveries';
import { testTemporal, workflowBundle, type TestTemporal } from './temporal';
import { commentPayload, sendGithubDelivery, TEST_WEBHOOK_SECRET } from './webhooks';

export const AGENTS_DIR = path.join(__dirname, '..', 'fixtures', 'agents');

export interface HarnessOptions {
  /** A script in test/fixtures/agents run by node as the `command` agent. */
  agent?: string;
  /** Extra settings, by their user-facing names. */
  env?: Record<string, string>;
  startWorker?: boolean;
  /** Worker options besides the config (a provider kit with a faulty transport, an error reporter). */
  workerOptions?: (config: Config) => Pick<Parameters<typeof createAgentWorkers>[0], 'providers' | 'reporter'>;
  /** Also a Slack stand-in (with these options), the gateway's Slack routes and the Slack transport, configured for it. */
  slack?: boolean | SlackStandInOptions;
  /** Also a Discord stand-in (the API and a signing key pair), and agent-bot configured for it. */
  discord?: boolean;
  /** With `discord`: how long interaction tokens live, for agent-bot and the stand-in alike (ms). */
  discordTokenTtlMs?: number;
  /** Also a Jira stand-in, and JIRA_* settings for it (project `harness.jiraProject` → `acme/<repo>`, trigger label `agent`). */
  jira?: boolean | JiraStandInOptions;
  /** Also a Sentry stand-in, and SENTRY_* settings for it (organization `harness.sentryOrg`, project `backend` → `acme/<repo>`, every trigger). */
  sentry?: boolean | SentryStandInOptions;
  /** A Temporal server of the test's own (startOwnTemporal); the shared test server otherwise. */
  temporal?: TestTemporal;
}

export const TEST_JIRA_SECRET = 'test-jira-webhook-secret';
export const TEST_SENTRY_SECRET = 'test-sentry-client-secret';

/** What the gateway answered a Jira or Sentry delivery. */
export interface DeliveryAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** A Discord answer from the gateway: the interaction response, when it is JSON. */
export interface DiscordAnswer {
  status: number;
  body: Record<string, unknown>;
  /** The interaction as delivered (its token is what Discord would let agent-bot use). */
  interaction: InteractionPayload;
}

/** The Discord channel commands come from unless a test names another. */
export const DISCORD_CHANNEL_ID = '950000000000000001';

/** The signing secret of the Slack app in tests. */
export const TEST_SLACK_SECRET = 'test-slack-signing-secret';

/** A Slack answer from the gateway. */
export interface SlackAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Everything agent-bot runs, against the shared real Temporal server: the gateway on a free port, the
 * workers on a task queue of this test's own, and a GitHub stand-in. Each harness has its own repo
 * name, so workflow ids never collide between tests.
 */
export class Harness {
  readonly github = new GithubStandIn();
  /** Present when started with `slack: true`. */
  slack: SlackStandIn | undefined;
  /** Present when started with `discord: true`, with the key pair Discord signs with. */
  discord: DiscordStandIn | undefined;
  discordKeys: DiscordKeyPair | undefined;
  readonly repo = `widgets-${randomUUID().slice(0, 8)}`;
  readonly dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-data-'));
  readonly taskQueue = `test-${randomUUID()}`;
  /** A Jira project key of this harness's own: Jira thread ids (`jira:127.0.0.1:<port>/<KEY>-1`) never collide between tests. */
  readonly jiraProject = `P${Array.from({ length: 5 }, () => String.fromCharCode(65 + randomInt(26))).join('')}`;
  /** A Sentry organization of this harness's own, for the same reason. */
  readonly sentryOrg = `acme-${randomUUID().slice(0, 8)}`;
  private jiraStandIn: JiraStandIn | undefined;
  private sentryStandIn: SentryStandIn | undefined;
  config!: Config;
  gateway!: RunningGateway;
  private workers: { handle: AgentWorkers; running: Promise<void> } | undefined;

  constructor(private readonly options: HarnessOptions = {}) {}

  /** The Temporal server this harness uses. */
  get temporal(): TestTemporal {
    return this.options.temporal ?? testTemporal();
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const harness = new Harness(options);
    await harness.github.start();
    if (options.slack !== undefined && options.slack !== false) harness.slack = await new SlackStandIn(options.slack === true ? {} : options.slack).start();
    if (options.discord === true) {
      harness.discord = await new DiscordStandIn(options.discordTokenTtlMs === undefined ? {} : { tokenLifetimeMs: options.discordTokenTtlMs }).start();
      harness.discordKeys = discordKeyPair();
    }
    if (options.jira !== undefined && options.jira !== false) harness.jiraStandIn = await new JiraStandIn(options.jira === true ? {} : options.jira).start();
    if (options.sentry !== undefined && options.sentry !== false) {
      harness.sentryStandIn = await new SentryStandIn({ organization: harness.sentryOrg, ...(options.sentry === true ? {} : options.sentry) }).start();
    }
    harness.config = harness.buildConfig();
    harness.gateway = await startGateway({ config: harness.config, connection: harness.temporal.connection, log: () => {}, port: 0 });
    if (options.startWorker !== false) await harness.startWorkers();
    return harness;
  }

  /**
   * The environment a separate worker process of this harness needs. No metrics port unless the test gives
   * one: the default (9464) may be taken by another test's worker, or anything else on the machine.
   */
  processEnv(): Record<string, string> {
    return { METRICS_PORT: 'off', ...this.envSettings(), TEMPORAL_ADDRESS: this.temporal.address };
  }

  async startWorkers(): Promise<void> {
    const handle = await createAgentWorkers({
      config: this.config,
      connection: this.temporal.nativeConnection,
      clientConnection: this.temporal.connection,
      workflowBundle: await workflowBundle(),
      // The worker's own environment holds secrets: the agent must get none of them.
      env: { ...process.env, ...this.envSettings(), UNRELATED_SETTING: 'not for the agent' },
      ...this.options.workerOptions?.(this.config),
    });
    this.workers = { handle, running: handle.run() };
  }

  async stopWorkers(): Promise<void> {
    if (!this.workers) return;
    this.workers.handle.shutdown();
    await this.workers.running;
    this.workers = undefined;
  }

  async stop(): Promise<void> {
    await this.stopWorkers();
    await this.gateway.close();
    await this.github.stop();
    await this.slack?.stop();
    await this.discord?.stop();
    await this.jiraStandIn?.stop();
    await this.sentryStandIn?.stop();
  }

  /** The Jira stand-in (`Harness.start({ jira: true })`). */
  get jira(): JiraStandIn {
    if (this.jiraStandIn === undefined) throw new Error('start the harness with { jira: true }');
    return this.jiraStandIn;
  }

  /** The Sentry stand-in (`Harness.start({ sentry: true })`). */
  get sentry(): SentryStandIn {
    if (this.sentryStandIn === undefined) throw new Error('start the harness with { sentry: true }');
    return this.sentryStandIn;
  }

  /** POSTs a Jira webhook delivery as Jira does: signed with the harness's secret unless `secret` says otherwise (`null`: unsigned). */
  async sendJira(payload: unknown, options: { identifier?: string; retry?: number; secret?: string | null } = {}): Promise<DeliveryAnswer> {
    const secret = options.secret === undefined ? TEST_JIRA_SECRET : options.secret ?? undefined;
    const delivery = jiraDelivery(payload, { ...(secret === undefined ? {} : { secret }), ...(options.identifier === undefined ? {} : { identifier: options.identifier }), ...(options.retry === undefined ? {} : { retry: options.retry }) });
    return this.postDelivery('/webhooks/jira', delivery);
  }

  /** POSTs a Sentry integration webhook delivery, signed with the harness's client secret unless `secret` says otherwise (`null`: unsigned). */
  async sendSentry(resource: string, payload: unknown, options: { requestId?: string; secret?: string | null } = {}): Promise<DeliveryAnswer> {
    const delivery = sentryDelivery(options.secret ?? TEST_SENTRY_SECRET, resource, payload, options.requestId === undefined ? {} : { requestId: options.requestId });
    if (options.secret === null) delete delivery.headers['sentry-hook-signature'];
    return this.postDelivery('/webhooks/sentry', delivery);
  }

  private async postDelivery(route: string, delivery: { headers: Record<string, string>; body: string }): Promise<DeliveryAnswer> {
    const response = await fetch(`${this.gateway.url}${route}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const text = await response.text();
    try {
      return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      return { status: response.status, body: { text } };
    }
  }

  /**
   * Delivers an interaction to /webhooks/discord as Discord does (signed with the app's key), after making
   * it known to the stand-in; a response that creates or acknowledges a message is then applied there, as
   * Discord would. `respond: false` leaves the stand-in alone (e.g. for a second delivery of one interaction).
   */
  async discordDeliver(interaction: InteractionPayload, options: { respond?: boolean; sign?: (body: string) => Record<string, string> } = {}): Promise<DiscordAnswer> {
    const discord = this.requireDiscord();
    if (interaction.channel_id !== undefined && options.respond !== false) discord.registerInteraction(interaction);
    const delivery = discordDelivery(this.discordKeys!.privateKey, interaction);
    const headers = options.sign === undefined ? delivery.headers : { ...delivery.headers, ...options.sign(delivery.body) };
    const response = await fetch(`${this.gateway.url}/webhooks/discord`, { method: 'POST', headers, body: delivery.body });
    const text = await response.text();
    let body: Record<string, unknown>;
    try {
      body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = { text };
    }
    if (response.status === 200 && options.respond !== false && typeof body['type'] === 'number' && body['type'] >= 4 && interaction.channel_id !== undefined) {
      discord.respondToInteraction(interaction.token, body as { type: number; data?: Record<string, unknown> });
    }
    return { status: response.status, body, interaction };
  }

  /**
   * `/agent request:<text>` in a Discord channel (`channelId`), or inside a thread of it (`thread`: its id,
   * and the channel it belongs to as `channelId`).
   */
  discordCommand(text: string, options: { channelId?: string; thread?: { id: string; name?: string }; user?: { id: string; username: string }; roles?: string[] } = {}): Promise<DiscordAnswer> {
    const channelId = options.channelId ?? DISCORD_CHANNEL_ID;
    const interaction = agentCommandInteraction(text, { channelId: options.thread?.id ?? channelId, ...(options.user === undefined ? {} : { user: options.user }), ...(options.roles === undefined ? {} : { roles: options.roles }) });
    if (options.thread !== undefined) interaction['channel'] = { id: options.thread.id, type: 11, guild_id: DISCORD_GUILD_ID, parent_id: channelId, name: options.thread.name ?? 'a thread' };
    return this.discordDeliver(interaction);
  }

  /** A click on one of agent-bot's buttons of a message in the stand-in. */
  discordClick(customId: string, messageId: string, options: { user?: { id: string; username: string }; roles?: string[] } = {}): Promise<DiscordAnswer> {
    const message = this.requireDiscord().message(messageId);
    if (message === undefined) throw new Error(`no message ${messageId} in the Discord stand-in`);
    const channel = this.requireDiscord().channels.get(message.channel_id)!;
    const interaction = componentClickInteraction(customId, message, { channelId: message.channel_id, ...(options.user === undefined ? {} : { user: options.user }), ...(options.roles === undefined ? {} : { roles: options.roles }) });
    if (channel.parent_id !== undefined) interaction['channel'] = { id: channel.id, type: channel.type, guild_id: DISCORD_GUILD_ID, parent_id: channel.parent_id, name: channel.name };
    return this.discordDeliver(interaction);
  }

  /** `discord:<guild>/<channel>/<interaction or thread id>`: the conversation workflow of a Discord conversation. */
  discordConversationId(conversation: string, channelId = DISCORD_CHANNEL_ID): string {
    return `discord:${DISCORD_GUILD_ID}/${channelId}/${conversation}`;
  }

  private requireDiscord(): DiscordStandIn {
    if (this.discord === undefined) throw new Error('start the harness with discord: true');
    return this.discord;
  }

  /** Signs and POSTs a body to one of the gateway's Slack routes, as Slack does. */
  async slackPost(route: 'events' | 'interactivity' | 'commands', body: string, options: { form?: boolean; timestamp?: number; retryNum?: number; secret?: string } = {}): Promise<SlackAnswer> {
    const delivery = signedSlackDelivery(options.secret ?? TEST_SLACK_SECRET, body, options);
    const response = await fetch(`${this.gateway.url}/webhooks/slack/${route}`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed };
  }

  /**
   * A person's message mentioning agent-bot in a Slack channel (posted in the stand-in, so reactions land
   * on it), then its `app_mention` event. In a thread when `threadTs` is given, else it starts one.
   */
  async slackMention(text: string, options: { channel?: string; user?: string; threadTs?: string; eventId?: string; retryNum?: number; ts?: string } = {}) {
    const slack = this.requireSlack();
    const channel = options.channel ?? 'C0CHANNEL1';
    const user = options.user ?? 'U0PERSON01';
    const ts = options.ts ?? slack.postAsUser(channel, { user, text, ...(options.threadTs === undefined ? {} : { thread_ts: options.threadTs }) }).ts;
    const event = appMentionEvent({ text, channel, user, ts, ...(options.threadTs === undefined ? {} : { threadTs: options.threadTs }), ...(options.eventId === undefined ? {} : { eventId: options.eventId }) });
    const answer = await this.slackPost('events', JSON.stringify(event), options.retryNum === undefined ? {} : { retryNum: options.retryNum });
    return { ...answer, ts, channel, eventId: String(event['event_id']) };
  }

  /** A direct message to agent-bot (a `message` event of `channel_type: im`). */
  async slackDirectMessage(text: string, options: { channel?: string; user?: string } = {}) {
    const slack = this.requireSlack();
    const channel = options.channel ?? 'D0DIRECT01';
    if (!slack.channels.has(channel)) slack.addChannel(channel, { isIm: true });
    const user = options.user ?? 'U0PERSON01';
    const ts = slack.postAsUser(channel, { user, text }).ts;
    const answer = await this.slackPost('events', JSON.stringify(directMessageEvent({ text, channel, user, ts })));
    return { ...answer, ts, channel };
  }

  /** A click on one of agent-bot's buttons. */
  slackClick(actionId: string, options: { value: string; channel?: string; user?: string; messageTs: string }): Promise<SlackAnswer> {
    const form = blockActionsForm({ actionId, value: options.value, user: options.user ?? 'U0PERSON01', channel: options.channel ?? 'C0CHANNEL1', messageTs: options.messageTs });
    return this.slackPost('interactivity', form, { form: true });
  }

  /** `/agent <text>` in a channel. */
  slackSlash(text: string, options: { channel?: string; user?: string } = {}): Promise<SlackAnswer> {
    return this.slackPost('commands', slashCommandForm({ command: '/agent', text, user: options.user ?? 'U0PERSON01', channel: options.channel ?? 'C0CHANNEL1' }), { form: true });
  }

  /** `slack:<team>/<channel>/<thread ts>`: the conversation workflow of a Slack thread. */
  slackThreadId(channel: string, threadTs: string): string {
    return `slack:${SLACK_TEAM_ID}/${channel}/${threadTs}`;
  }

  private requireSlack(): SlackStandIn {
    if (this.slack === undefined) throw new Error('start the harness with slack: true');
    return this.slack;
  }

  /**
   * Sends a signed `issue_comment.created` webhook for PR `number` of this harness's repo. Each call is a
   * new comment (the first on a PR has id 7_000_000 + number, later ones other ids), except that a
   * delivery id sent before, or an explicit `commentId`, repeats that comment: a redelivery.
   */
  async comment(body: string, options: { number?: number; deliveryId?: string; pullRequest?: boolean; commentId?: number } = {}) {
    const number = options.number ?? 42;
    const commentId = options.commentId ?? (options.deliveryId === undefined ? undefined : this.commentByDelivery.get(options.deliveryId)) ?? this.nextCommentId(number);
    if (options.deliveryId !== undefined) this.commentByDelivery.set(options.deliveryId, commentId);
    const payload = commentPayload({ body, number, repo: this.repo, commentId, ...(options.pullRequest === undefined ? {} : { pullRequest: options.pullRequest }) });
    const response = await sendGithubDelivery(this.gateway.url, { event: 'issue_comment', payload, ...(options.deliveryId ? { deliveryId: options.deliveryId } : {}) });
    return { ...response, commentId };
  }

  private readonly commentByDelivery = new Map<string, number>();
  private readonly commentsSent = new Map<number, number>();

  private nextCommentId(number: number): number {
    const sent = this.commentsSent.get(number) ?? 0;
    this.commentsSent.set(number, sent + 1);
    return sent === 0 ? 7_000_000 + number : 9_000_000 + number * 1_000 + sent;
  }

  targetId(number = 42): string {
    return targetWorkflowId({ provider: 'github', owner: 'acme', repo: this.repo, number });
  }

  taskId(taskIdValue: string, number = 42): string {
    return taskWorkflowId(this.targetId(number), taskIdValue);
  }

  target(number = 42): WorkflowHandle {
    return this.temporal.client.workflow.getHandle(this.targetId(number));
  }

  status(number = 42) {
    return this.target(number).query(statusQuery);
  }

  /** The final comment of each task on the thread (in-progress and plan states are not final). */
  commentsOn(number = 42) {
    return this.github
      .commentsOn('acme', this.repo, number)
      .filter((comment) => comment.body.includes('agent-bot:task=') && !comment.body.includes('**⏳ Working**') && !comment.body.includes('**📋 Plan awaiting approval**'));
  }

  /** Every comment agent-bot wrote on the thread, in any state. */
  allCommentsOn(number = 42) {
    return this.github.commentsOn('acme', this.repo, number);
  }

  /** Replies (status, help, refusals, reminders). */
  repliesOn(number = 42) {
    return this.github.commentsOn('acme', this.repo, number).filter((comment) => comment.body.includes('agent-bot:reply'));
  }

  private envSettings(): Record<string, string> {
    const agent = this.options.agent ?? 'answer.js';
    return {
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      AGENT_BOT_DATA_DIR: this.dataDir,
      GITHUB_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: this.github.url,
      AGENT_KIND: 'command',
      AGENT_COMMAND: process.execPath,
      AGENT_ARGS: JSON.stringify([path.join(AGENTS_DIR, agent)]),
      AGENT_KILL_GRACE: '2s',
      AGENT_CLONE: 'false',
      AGENT_DEFAULT_COMMAND: 'ask',
      PROGRESS_COMMENT_INTERVAL: '1s',
      TEMPORAL_UI_URL: 'http://localhost:8233',
      // Agent CLIs keep their sessions here, not in the real home folder.
      CLAUDE_CONFIG_DIR: path.join(this.dataDir, 'claude-config'),
      ...(this.slack === undefined ? {} : { SLACK_SIGNING_SECRET: TEST_SLACK_SECRET, SLACK_BOT_TOKEN: this.slack.token, SLACK_API_URL: `${this.slack.url}/api/` }),
      ...(this.discord === undefined
        ? {}
        : {
            DISCORD_PUBLIC_KEY: this.discordKeys!.publicKeyHex,
            DISCORD_APPLICATION_ID: this.discord.applicationId,
            DISCORD_BOT_TOKEN: this.discord.botToken,
            DISCORD_API_URL: this.discord.apiUrl,
            ...(this.options.discordTokenTtlMs === undefined ? {} : { DISCORD_INTERACTION_TOKEN_TTL: String(this.options.discordTokenTtlMs) }),
          }),
      ...this.providerSettings(),
      ...this.options.env,
    };
  }

  /** JIRA_* and SENTRY_* for the stand-ins this harness runs. */
  private providerSettings(): Record<string, string> {
    const settings: Record<string, string> = {};
    if (this.jiraStandIn !== undefined) {
      Object.assign(settings, {
        JIRA_WEBHOOK_SECRET: TEST_JIRA_SECRET,
        JIRA_BASE_URL: this.jiraStandIn.url,
        JIRA_EMAIL: this.jiraStandIn.email,
        JIRA_API_TOKEN: this.jiraStandIn.apiToken,
        JIRA_ACCOUNT_ID: this.jiraStandIn.accountId,
        JIRA_PROJECT_REPOS: JSON.stringify({ [this.jiraProject]: `acme/${this.repo}` }),
        JIRA_TRIGGER_LABEL: 'agent',
      });
    }
    if (this.sentryStandIn !== undefined) {
      Object.assign(settings, {
        SENTRY_CLIENT_SECRET: TEST_SENTRY_SECRET,
        SENTRY_API_URL: `${this.sentryStandIn.url}/api/0/`,
        SENTRY_AUTH_TOKEN: this.sentryStandIn.token,
        SENTRY_ORG: this.sentryOrg,
        SENTRY_PROJECT_REPOS: JSON.stringify({ backend: `acme/${this.repo}` }),
        SENTRY_TRIGGER_RESOURCES: 'comment,issue,event_alert',
      });
    }
    return settings;
  }

  private buildConfig(): Config {
    return loadConfig({ ...this.envSettings(), TEMPORAL_ADDRESS: this.temporal.address }, this.dataDir);
  }
}
