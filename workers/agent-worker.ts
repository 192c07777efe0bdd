import { Client, type Connection } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createAgentActivities, type AgentThreadDeps, type ProgressNotifier } from '../activities/agent/run-agent';
import { createJanitorActivities } from '../activities/janitor-activities';
import { createLegacyGithubActivities } from '../activities/legacy/github-activities';
import { createTaskThreadActivities } from '../activities/legacy/task-thread-activities';
import { createThreadActivities } from '../activities/thread-activities';
import type { Config } from '../config/load';
import { ThreadToolEndpoint } from '../integrations/mcp/thread-endpoint';
import { progressSignal } from '../contracts/messages';
import { agentTaskQueue, workerAgentTaskQueue } from '../contracts/task-queues';
import { AgentSlots } from '../activities/agent/agent-slots';
import { agentRunnerConfig } from './agent-runner-config';
import { errorReporter, errorReportingInterceptors, type ErrorReporter } from './error-reporting';
import { ensureJanitorSchedule } from './janitor-schedule';
import { logAttributesInterceptors } from './telemetry';
import { createProviderKit, type ProviderKit } from './transports';
import { agentRunMetricsInterceptors, type WorkerMetrics } from './worker-metrics';
import { WorkerRegistry } from './worker-registry';

export interface AgentWorkers {
  /** Runs both workers until `shutdown()` or a fatal error. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Three workers in one process: the main one (workflows, provider calls), the agent one on the shared
 * agent queue, and the agent one on this worker's own queue (a thread's next run comes back here, where
 * its workspace and agent session are; the janitor of this worker's data dir runs there too). The two
 * agent workers share AGENT_MAX_CONCURRENT slots: it is a cap per machine.
 */
export async function createAgentWorkers(options: {
  config: Config;
  connection: NativeConnection;
  clientConnection: Connection;
  workflowBundle?: WorkflowBundleWithSourceMap;
  env?: NodeJS.ProcessEnv;
  /** Provider clients and transports; built from the config when absent. */
  providers?: ProviderKit;
  /** Where unexpected activity failures go; by default the reporter the process started (if any). */
  reporter?: ErrorReporter;
  /** Tasks, agent runs, provider calls and write budgets counted here (the process serves them on METRICS_PORT). */
  metrics?: WorkerMetrics;
}): Promise<AgentWorkers> {
  const { config, connection, metrics } = options;
  const reporter = options.reporter ?? errorReporter();
  const interceptors = {
    interceptors: {
      activity: [
        // Every activity's log lines carry its task id and provider.
        logAttributesInterceptors(),
        ...(metrics === undefined ? [] : [agentRunMetricsInterceptors(metrics)]),
        // Only with a reporter: without SENTRY_DSN no failure is looked at.
        ...(reporter.enabled ? [errorReportingInterceptors(reporter)] : []),
      ],
    },
  };
  const client = new Client({ connection: options.clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const notify: ProgressNotifier = async (workflowIds, taskId, progress) => {
    await Promise.all(workflowIds.map((id) => client.workflow.getHandle(id).signal(progressSignal, { taskId, progress })));
  };
  const providers = options.providers ?? createProviderKit(config);
  if (metrics !== undefined) for (const [provider, budgets] of Object.entries(providers.budgets)) budgets.observe(metrics.writeBudgetHooks(provider));
  const transports = metrics === undefined ? providers.transports : metrics.instrumentTransports(providers.transports);
  const ui = { uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE, mention: config.AGENT_BOT_MENTION };
  // One loopback endpoint for the agents' thread tools, listening from the first run that uses it.
  const mcpEndpoint = config.AGENT_MCP ? new ThreadToolEndpoint() : undefined;
  const threadDeps: AgentThreadDeps = {
    ...ui,
    transports,
    // Frequent edits for the first six intervals (the first minute at the default 10 s), then rarer.
    pacing: { delayMs: config.PROGRESS_COMMENT_INTERVAL, intervalMs: config.PROGRESS_COMMENT_INTERVAL, maxIntervalMs: config.PROGRESS_COMMENT_MAX_INTERVAL, fastPeriodMs: 6 * config.PROGRESS_COMMENT_INTERVAL },
    approvalTimeoutMs: config.APPROVAL_TIMEOUT,
    approvalReminderMs: Math.min(config.APPROVAL_REMINDER, config.APPROVAL_TIMEOUT),
    ...(mcpEndpoint === undefined ? {} : { mcp: { endpoint: mcpEndpoint, readers: providers.readers } }),
  };
  const registry = new WorkerRegistry(config.AGENT_BOT_DATA_DIR, config.AGENT_WORKER_ID, config.AGENT_SHARED_DATA_DIR);
  registry.start();
  const ownQueue = workerAgentTaskQueue(config.TEMPORAL_TASK_QUEUE, config.AGENT_WORKER_ID);
  const agentActivities = createAgentActivities(agentRunnerConfig(config, options.env ?? process.env), notify, threadDeps, {
    slots: metrics?.agentSlots(config.AGENT_MAX_CONCURRENT) ?? new AgentSlots(config.AGENT_MAX_CONCURRENT),
    worker: { id: config.AGENT_WORKER_ID, taskQueue: ownQueue, stickyWaitMs: config.AGENT_STICKY_WAIT },
    shared: () => registry.shared(),
  });
  const janitorActivities = createJanitorActivities({ client, dataDir: config.AGENT_BOT_DATA_DIR });
  const workflowSource = options.workflowBundle === undefined
    ? { workflowsPath: require.resolve('../workflows') }
    : { workflowBundle: options.workflowBundle };

  const main = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    // A stopping worker (a deploy) lets its short writes finish: the SDK's default (0) cancels them, and
    // one that ignores the cancel has its result dropped, so the write waits out its StartToClose (2 min).
    // The agent workers keep 0: a cancelled agent run is retried at once on another worker.
    shutdownGraceTime: '10s',
    ...interceptors,
    activities: {
      ...createThreadActivities({ ...ui, transports, client, ...(metrics === undefined ? {} : { onTaskFinished: (provider, outcome) => metrics.taskFinished(provider, outcome) }) }),
      // Only for runs of the frozen v1 workflows (started before provider-neutral threads).
      ...createLegacyGithubActivities({ github: providers.github, uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }),
      ...createTaskThreadActivities(legacyTaskThreadDeps(config, providers)),
      // Janitor runs started before each worker had its own (they clean whichever worker's disk they land on).
      ...janitorActivities,
    },
  });
  const agentWorker = (taskQueue: string, activities: object) =>
    Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      maxConcurrentActivityTaskExecutions: config.AGENT_MAX_CONCURRENT,
      // Heartbeats are how cancellation reaches a running agent and how the UI sees progress: send them
      // every 2 s instead of the default 0.8 × heartbeat timeout.
      maxHeartbeatThrottleInterval: '2s',
      ...interceptors,
      activities,
    });
  const agent = await agentWorker(agentTaskQueue(config.TEMPORAL_TASK_QUEUE), agentActivities);
  const own = await agentWorker(ownQueue, { ...agentActivities, ...janitorActivities });
  // Every start creates or updates the one janitor schedule of this task queue.
  await ensureJanitorSchedule(client, config);
  return {
    async run() {
      try {
        await Promise.all([main.run(), agent.run(), own.run()]);
      } finally {
        registry.stop();
        await mcpEndpoint?.close();
      }
    },
    shutdown() {
      for (const worker of [main, agent, own]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}

/** How v1 tasks show up on GitHub, from the process config. */
function legacyTaskThreadDeps(config: Config, providers: ProviderKit) {
  return {
    github: providers.github,
    uiUrl: config.TEMPORAL_UI_URL,
    namespace: config.TEMPORAL_NAMESPACE,
    checkRuns: config.GITHUB_CHECK_RUNS,
    checkRunName: 'agent-bot',
    settings: {
      approvalTimeoutMs: config.APPROVAL_TIMEOUT,
      approvalReminderMs: Math.min(config.APPROVAL_REMINDER, config.APPROVAL_TIMEOUT),
      progressCommentIntervalMs: config.PROGRESS_COMMENT_INTERVAL,
      mention: config.AGENT_BOT_MENTION,
    },
  };
}
