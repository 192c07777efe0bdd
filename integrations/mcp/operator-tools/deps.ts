import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { StartTask } from '../../../gateway/api/start-task';

/** What the operator tools act with: the Temporal client, the workers' data dir, and how tasks start. */
export interface OperatorDeps {
  client: Client;
  /** AGENT_BOT_DATA_DIR, for log tails: the server must run where the workers write logs, or on a shared disk. */
  dataDir: string;
  startTask: StartTask;
}

/** The task id every task tool takes: what the webhook, the API or `start-task` answered. */
export const taskIdArgument = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'a task id such as gh-c123456')
  .describe('The task id, e.g. `gh-c123456` (as list-tasks, start-task or the thread show it).');

/** Who decides, recorded in the task's history and shown in its final message. */
export const deciderArgument = z.string().trim().min(1).max(100).default('operator').describe('Who decides, recorded in the task and shown on its thread. Default `operator`.');
