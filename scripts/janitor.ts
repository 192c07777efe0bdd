import { parseArgs } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { durationMs } from '../config/duration';
import { formatBytes, JANITOR_WORKFLOW_TYPE, janitorScheduleId, type JanitorInput, type JanitorResult } from '../contracts/janitor';
import { workerAgentTaskQueue } from '../contracts/task-queues';
import { formatAge } from '../workflows/janitor-plan';
import { createLogger } from '../workers/logger';
import { connectTemporal, loadConfigOrExit, runMain, temporalAddress } from '../workers/main';

const USAGE = `usage: npm run janitor -- [--dry-run] [--json] [--wait 60s]
  --dry-run   decide as usual, delete and close nothing, list what would go
  --json      print the janitor's result as JSON
  --wait      how long a worker may take to pick the run up (default 60s)
  --help, -h  this text`;

const STARTED = temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED;

/**
 * `npm run janitor [-- --dry-run]`: runs the janitor workflow once, now, on the configured task queue
 * (a worker must be running: `npm run dev` or `npm run start:worker`), and prints what it removed.
 */
async function main(): Promise<void> {
  let flags: { 'dry-run': boolean; json: boolean; wait: string };
  try {
    const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, wait: { type: 'string', default: '60s' }, help: { type: 'boolean', short: 'h', default: false } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    flags = values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const wait = durationMs.safeParse(flags.wait);
  if (!wait.success) {
    process.stderr.write(`--wait: expected a duration such as 60s, got "${flags.wait}"\n${USAGE}\n`);
    process.exit(2);
  }
  const waitMs = wait.data;
  const config = loadConfigOrExit();
  const connection = await connectTemporal(config, (address) => Connection.connect({ address }));
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    // Like the worker's schedule: this worker's data dir (AGENT_WORKER_ID), through its own queue.
    const input: JanitorInput = { dryRun: flags['dry-run'], retentionMs: config.JANITOR_RETENTION, idleCloseMs: config.JANITOR_IDLE_CLOSE, activityTaskQueue: workerAgentTaskQueue(config.TEMPORAL_TASK_QUEUE, config.AGENT_WORKER_ID) };
    const handle = await client.workflow.start(JANITOR_WORKFLOW_TYPE, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      workflowId: `${janitorScheduleId(config.TEMPORAL_TASK_QUEUE, config.AGENT_WORKER_ID)}/manual-${new Date().toISOString()}`,
      args: [input],
      staticSummary: `janitor${input.dryRun === true ? ' (dry run)' : ''}, by npm run janitor`,
    });
    if (!(await pickedUp(handle, waitMs))) {
      // Never leave it queued: it would clean up whenever a worker turns up, unasked.
      await handle.terminate('no worker picked the janitor run up');
      process.stderr.write(
        `agent-bot: no worker picked the janitor up within ${formatAge(waitMs)} on task queue "${config.TEMPORAL_TASK_QUEUE}" ` +
          `at ${temporalAddress(config)}. Start one (npm run dev, or npm run start:worker) and try again; nothing was changed.\n`,
      );
      process.exitCode = 1;
      return;
    }
    const result = (await handle.result()) as JanitorResult;
    process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : report(result, handle.workflowId));
  } finally {
    await connection.close();
  }
}

/** True once a worker started the first workflow task (or the run already ended). */
async function pickedUp(handle: WorkflowHandle, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const description = await handle.describe();
    const pending = description.raw.pendingWorkflowTask;
    if (description.status.name !== 'RUNNING' || description.historyLength > 3 || pending?.state === STARTED) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function report(result: JanitorResult, workflowId: string): string {
  const verb = result.dryRun ? 'would remove' : 'removed';
  const lines = [
    `janitor ${result.dryRun ? '(dry run: nothing was deleted or closed) ' : ''}${workflowId}`,
    `retention ${formatAge(result.retentionMs)}, idle close ${formatAge(result.idleCloseMs)}`,
    `${verb} ${result.removed.length} folders, ${formatBytes(result.freedBytes)}:`,
    ...result.removed.map((item) => `  ${formatBytes(item.bytes).padStart(9)}  ${item.path}  (${item.reason})`),
    `${result.dryRun ? 'would close' : 'closed'} ${result.closedTargets.length} idle targets:`,
    ...result.closedTargets.map((target) => `  ${target.workflowId}  (idle ${formatAge(target.idleMs)})`),
    `kept ${result.kept.workspaces} workspaces and ${result.kept.logs} logs:`,
    ...Object.entries(result.kept.byReason).map(([reason, count]) => `  ${String(count).padStart(5)}  ${reason}`),
    ...result.skipped.map((item) => `left ${item.path}: ${item.reason}`),
    ...result.problems.map((problem) => `problem: ${problem}`),
  ];
  return `${lines.join('\n')}\n`;
}

runMain(main, createLogger('janitor'));
