import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { testTemporal, workflowBundle } from './temporal';

/**
 * Replays every closed workflow of a test repository with today's workflow code: a change that would
 * break running workflows (a determinism error) fails here. Returns how many histories replayed.
 */
export async function replayClosedWorkflows(repo: string, replayName: string): Promise<number> {
  const histories = testTemporal()
    .client.workflow.list({ query: `AgentTarget STARTS_WITH "acme/${repo}#" AND ExecutionStatus != "Running"` })
    .intoHistories();
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName }, histories)) {
    assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
    replayed++;
  }
  return replayed;
}

/** Replays every closed workflow a visibility query finds (e.g. one provider's), like replayClosedWorkflows. */
export async function replayClosedWorkflowsWhere(query: string, replayName: string): Promise<number> {
  const histories = testTemporal().client.workflow.list({ query: `${query} AND ExecutionStatus != "Running"` }).intoHistories();
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName }, histories)) {
    assert.equal(result.error, undefined, `${result.workflowId}: ${String(result.error)}`);
    replayed++;
  }
  return replayed;
}
