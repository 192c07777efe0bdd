import { Client, type Connection } from '@temporalio/client';
import { type NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createAgentActivities, type ProgressNotifier } from '../activities/agent/run-agent';
import { createGithubActivities } from '../activities/github-activities';
import { createJanitorActivities } from '../activities/janitor-activities';
import type { Config } from '../config/load';
import { progressSignal } from '../contracts/messages';
import { agentTaskQueue } from '../contracts/task-queues';
import { createGithubClient } from '../integrations/github/client';
import { createTaskThreadActivities } from '../activities/task-thread-activities';
import { agentRunnerConfig } from './agent-runner-config';
import { taskThreadDeps } from './task-thread-config';
import { ensureJanitorSchedule } from './janitor-schedule';

export interface AgentWorkers {
  /** Runs both workers until `shutdown()` or a fatal error. */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * Two workers in one process: the main one (workflows and GitHub calls) and the agent one, whose
 * activity slots are the cap on agent processes (AGENT_MAX_CONCURRENT).
 */
export async function createAgentWorkers(options: {
  config: Config;
  connection: NativeConnection;
  clientConnection: Connection;
  workflowBundle?: WorkflowBundleWithSourceMap;
  env?: NodeJS.ProcessEnv;
}): Promise<AgentWorkers> {
  const { config, connection } = options;
  const client = new Client({ connection: options.clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const notify: ProgressNotifier = async (workflowIds, taskId, progress) => {
    await Promise.all(workflowIds.map((id) => client.workflow.getHandle(id).signal(progressSignal, { taskId, progress })));
  };
  const github = createGithubClient({ token: config.GITHUB_TOKEN, apiUrl: config.GITHUB_API_URL });
  const workflowSource = options.workflowBundle === undefined
    ? { workflowsPath: require.resolve('../workflows') }
    : { workflowBundle: options.workflowBundle };

  const main = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    ...workflowSource,
    activities: {
      ...createGithubActivities({ github, uiUrl: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE }),
      ...createTaskThreadActivities(taskThreadDeps(config, github)),
      ...createJanitorActivities({ client, dataDir: config.AGENT_BOT_DATA_DIR }),
    },
  });
  const agent = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: agentTaskQueue(config.TEMPORAL_TASK_QUEUE),
    maxConcurrentActivityTaskExecutions: config.AGENT_MAX_CONCURRENT,
    // Heartbeats are how cancellation reaches a running agent and how the UI sees progress: send them
    // every 2 s instead of the default 0.8 × heartbeat timeout.
    maxHeartbeatThrottleInterval: '2s',
    activities: createAgentActivities(
      agentRunnerConfig(config, options.env ?? process.env),
      notify,
    ),
  });
  // Every start creates or updates the one janitor schedule of this task queue.
  await ensureJanitorSchedule(client, config);
  return {
    async run() {
      await Promise.all([main.run(), agent.run()]);
    },
    shutdown() {
      for (const worker of [main, agent]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}
