import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal';

const DIR = path.join(__dirname, '..', 'fixtures', 'histories');

/**
 * Histories recorded from earlier versions of the workflows (`temporal workflow show --output json`):
 * today's code must replay them, or a deploy would break the conversations and tasks in flight.
 * When a change must break one, guard it with `patched()` instead of re-recording.
 */
describe('recorded histories replay with the current workflow code', function () {
  this.timeout(60_000);
  const cases: [file: string, workflowId: string][] = [
    // Recorded with the first (GitHub-only) workflows: they replay the frozen code in workflows/legacy/.
    ['target-review-approve-defer-close.json', 'github:acme/widgets#1'],
    ['task-review.json', 'github:acme/widgets#1/task/review'],
    ['task-fix-approved.json', 'github:acme/widgets#1/task/fix'],
    // Recorded since (npm run record:histories), listed in index.json.
    ...(JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { file: string; workflowId: string }[]).map((entry): [string, string] => [entry.file, entry.workflowId]),
  ];
  for (const [file, workflowId] of cases) {
    it(file, async () => {
      const history: unknown = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8'));
      await assert.doesNotReject(Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history, workflowId));
    });
  }
});
