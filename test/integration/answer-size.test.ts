import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_LINE_CHARS } from '../../activities/agent/line-splitter';
import { GITHUB_COMMENT_LIMIT } from '../../integrations/github/task-comment';
import { AGENTS_DIR, Harness } from '../support/harness';
import { waitFor } from '../support/wait';

/** A harness whose `claude` prints one answer of `chars` characters (as one JSON line, like Claude Code). */
function bigAnswer(chars: number): Promise<Harness> {
  process.env['FAKE_CLAUDE_ANSWER_CHARS'] = String(chars);
  return Harness.start({
    env: { AGENT_KIND: 'claude', AGENT_COMMAND: path.join(AGENTS_DIR, 'fake-claude.js'), AGENT_ARGS: '[]', AGENT_ENV_PASSTHROUGH: 'FAKE_CLAUDE_ANSWER_CHARS', FAKE_CLAUDE_ANSWER_CHARS: String(chars) },
  });
}

describe('answers of any size reach the thread as the answer', function () {
  this.timeout(120_000);
  afterEach(() => {
    delete process.env['FAKE_CLAUDE_ANSWER_CHARS'];
  });

  it('posts a 5 MB final answer cut to the comment limit, saying so and where the whole answer is', async () => {
    const h = await bigAnswer(5_000_000);
    try {
      const sent = await h.comment('@agent write a lot', { number: 70 });
      const comment = await waitFor('the result comment', () => h.commentsOn(70)[0], 60_000);
      assert.ok(comment.body.length <= GITHUB_COMMENT_LIMIT);
      assert.match(comment.body, /✅ Done/);
      assert.match(comment.body, /A{1000}/, 'the agent\'s own answer, not an earlier message');
      assert.match(comment.body, /answer cut to fit a GitHub comment \([\d,]+ of 5,000,000 characters shown\)/);
      const taskId = String(sent.body['task_id']);
      assert.ok(comment.body.includes(`logs/tasks/${taskId}/answer.md`));
      assert.equal(fs.readFileSync(path.join(h.dataDir, 'logs', 'tasks', taskId, 'answer.md'), 'utf8').length, 5_000_000);
    } finally {
      await h.stop();
    }
  });

  it('keeps the beginning of an answer line longer than the runner reads, and says how long it was', async () => {
    const chars = MAX_LINE_CHARS + 2_000_000;
    const h = await bigAnswer(chars);
    try {
      await h.comment('@agent write even more', { number: 71 });
      const comment = await waitFor('the result comment', () => h.commentsOn(71)[0], 90_000);
      assert.match(comment.body, /✅ Done/);
      assert.match(comment.body, /A{1000}/);
      assert.match(comment.body, new RegExp(`final answer was a line of [\\d,]+ characters`));
    } finally {
      await h.stop();
    }
  });
});
