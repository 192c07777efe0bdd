import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Runtime, DefaultLogger } from '@temporalio/worker';
import { taskStatusQuery } from '../contracts/messages';
import { Harness } from '../test/support/harness';
import { SLACK_BOT_USER_ID } from '../test/support/slack-deliveries';
import { startTestTemporal, stopTestTemporal, testTemporal } from '../test/support/temporal';
import { waitFor } from '../test/support/wait';
import { githubFixture, sendGithubDelivery } from '../test/support/webhooks';

/**
 * `npm run record:histories`: runs today's workflows through a few scenarios on a fresh dev server and
 * writes their histories to test/fixtures/histories/ (with index.json naming each workflow id), for the
 * replay test. Re-run it after a workflow change that adds a path, and keep the older files: they are
 * what conversations started with earlier code look like.
 */
const OUT = path.join(__dirname, '..', 'test', 'fixtures', 'histories');
/** Files are named `<tag>-…json` (`npm run record:histories -- v3`): a new tag never overwrites older recordings. */
const TAG = process.argv[2] ?? 'v2';
const recorded: { file: string; workflowId: string }[] = [];

async function save(suffix: string, workflowId: string): Promise<void> {
  const name = `${TAG}-${suffix}`;
  const history = await testTemporal().client.workflow.getHandle(workflowId).fetchHistory();
  fs.writeFileSync(path.join(OUT, name), `${historyToJSON(history)}\n`);
  recorded.push({ file: name, workflowId });
  process.stdout.write(`recorded ${name} (${history.events?.length ?? 0} events)\n`);
}

async function githubReviewAndFix(): Promise<void> {
  const h = await Harness.start({ agent: 'planner.js', env: { AGENT_PROMPT_TEMPLATE: '{request}' } });
  try {
    const review = await h.comment('@agent review the cache', { number: 1 });
    await waitFor('the review answer', () => h.commentsOn(1)[0]);
    const fix = await h.comment('@agent fix the flaky login test', { number: 1 });
    const fixTask = testTemporal().client.workflow.getHandle(h.taskId(String(fix.body['task_id']), 1));
    await waitFor('the plan', async () => (await fixTask.query(taskStatusQuery)).phase === 'awaiting_approval');
    await h.comment('@agent approve', { number: 1 });
    await waitFor('the fix answer', () => h.commentsOn(1).length === 2);
    await h.comment('@agent status', { number: 1 });
    await waitFor('the status reply', () => h.repliesOn(1)[0]);
    const closed = githubFixture<{ number: number; repository: { name: string } }>('pull_request.closed');
    closed.number = 1;
    closed.repository.name = h.repo;
    await sendGithubDelivery(h.gateway.url, { event: 'pull_request', payload: closed });
    await h.target(1).result();
    await save('github-conversation.json', h.targetId(1));
    await save('github-task-review.json', h.taskId(String(review.body['task_id']), 1));
    await save('github-task-fix-approved.json', fixTask.workflowId);
  } finally {
    await h.stop();
  }
}

async function slackMentionAndFollowUp(): Promise<void> {
  const h = await Harness.start({ slack: true });
  try {
    h.slack!.addChannel('C0CHANNEL1');
    const first = await h.slackMention(`<@${SLACK_BOT_USER_ID}> explain the cache`);
    const task = testTemporal().client.workflow.getHandle(`${String(first.body['workflow_id'])}/task/${String(first.body['task_id'])}`);
    await waitFor('the task to close', async () => (await task.describe()).status.name === 'COMPLETED');
    await save('slack-task.json', task.workflowId);
  } finally {
    await h.stop();
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  await startTestTemporal();
  try {
    await githubReviewAndFix();
    await slackMentionAndFollowUp();
    const indexFile = path.join(OUT, 'index.json');
    const earlier = fs.existsSync(indexFile) ? (JSON.parse(fs.readFileSync(indexFile, 'utf8')) as typeof recorded) : [];
    const index = [...earlier.filter((entry) => !recorded.some((next) => next.file === entry.file)), ...recorded];
    fs.writeFileSync(indexFile, `${JSON.stringify(index, null, 2)}\n`);
  } finally {
    await stopTestTemporal();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
