import assert from 'node:assert/strict';
import {
  AGENT_BOT_MARKER_PREFIX,
  GITHUB_COMMENT_LIMIT,
  formatDuration,
  formatPlanComment,
  formatTaskComment,
  taskMarker,
  type TaskCommentContent,
} from '../../integrations/github/task-comment';

function content(overrides: Partial<TaskCommentContent> = {}): TaskCommentContent {
  return {
    taskId: 'gh-72d3162e',
    outcome: 'succeeded',
    request: 'review this',
    requester: 'octocat',
    text: 'The change looks right.',
    durationMs: 95_000,
    usage: {},
    runUrl: 'http://localhost:8233/namespaces/default/workflows/github%3Aacme%2Fwidgets%2342',
    logPath: '/var/lib/agent-bot/logs/gh-72d3162e.log',
    ...overrides,
  };
}

describe('task-comment', () => {
  describe('taskMarker', () => {
    it('is a hidden HTML comment starting with the prefix the gateway ignores', () => {
      const marker = taskMarker('gh-1');
      assert.ok(marker.startsWith(AGENT_BOT_MARKER_PREFIX));
      assert.ok(marker.endsWith('-->'));
      assert.notEqual(taskMarker('gh-1'), taskMarker('gh-2'));
    });
  });

  describe('formatTaskComment', () => {
    it('starts with the marker of its task', () => {
      assert.ok(formatTaskComment(content({ taskId: 'gh-abc' })).startsWith(taskMarker('gh-abc')));
    });

    it('contains the request, the requester, the agent text and the duration', () => {
      const body = formatTaskComment(content({ request: 'explain the crash', text: 'It is a null pointer.', durationMs: 95_000 }));
      assert.ok(body.includes('explain the crash'));
      assert.ok(body.includes('@octocat'));
      assert.ok(body.includes('It is a null pointer.'));
      assert.ok(body.includes(formatDuration(95_000)));
    });

    it('puts a multi-line request on one line', () => {
      const body = formatTaskComment(content({ request: 'first line\nsecond line' }));
      assert.ok(body.includes('first line second line'));
    });

    it('shows the cost with four decimals when the usage has one', () => {
      assert.ok(formatTaskComment(content({ usage: { costUsd: 0.0123 } })).includes('$0.0123'));
    });

    it('shows no cost when the usage has none', () => {
      const body = formatTaskComment(content({ usage: {} }));
      assert.equal(body.includes('cost'), false);
      assert.equal(body.includes('$'), false);
    });

    it('shows tokens and turns when the usage has them', () => {
      const body = formatTaskComment(content({ usage: { inputTokens: 100, outputTokens: 20, turns: 3 } }));
      assert.ok(body.includes('100 in / 20 out'));
      assert.ok(body.includes('3 turns'));
    });

    it('links to the run URL', () => {
      const runUrl = 'https://temporal.example.com/namespaces/default/workflows/x';
      assert.ok(formatTaskComment(content({ runUrl })).includes(`](${runUrl})`));
    });

    it('uses a distinct headline for each outcome', () => {
      const headlines = new Set(
        (['succeeded', 'failed', 'cancelled'] as const).map((outcome) => formatTaskComment(content({ outcome })).split('\n')[1]),
      );
      assert.equal(headlines.size, 3);
    });

    it('says the agent printed nothing instead of posting an empty answer', () => {
      const body = formatTaskComment(content({ text: '  \n ' }));
      assert.match(body, /printed nothing/);
    });

    it('cuts a 200,000-char answer to fit a GitHub comment and names the log file', () => {
      const text = 'x'.repeat(200_000);
      const body = formatTaskComment(content({ text }));
      assert.ok(body.length <= GITHUB_COMMENT_LIMIT, `body is ${body.length} chars`);
      assert.ok(body.includes(content().logPath));
      assert.ok(body.includes('x'.repeat(50_000)), 'most of the room is used for the answer');
      assert.ok(body.startsWith(taskMarker(content().taskId)));
      assert.ok(body.includes(formatDuration(content().durationMs)), 'the footer survives the cut');
    });

    it('leaves an answer that fits untouched and without a cut note', () => {
      const body = formatTaskComment(content({ text: 'short answer' }));
      assert.ok(body.includes('short answer'));
      assert.equal(body.includes(content().logPath), false);
    });

    it('adds the cut note to a short answer when it was already truncated upstream', () => {
      const body = formatTaskComment(content({ text: 'partial answer', truncated: true }));
      assert.ok(body.includes('partial answer'));
      assert.ok(body.includes(content().logPath));
    });
  });

  describe('formatDuration', () => {
    const cases: [ms: number, text: string][] = [
      [0, '0s'],
      [4_400, '4s'],
      [59_000, '59s'],
      [60_000, '1m 0s'],
      [95_000, '1m 35s'],
      [59 * 60_000 + 59_000, '59m 59s'],
      [3_600_000, '1h 0m'],
      [2 * 3_600_000 + 5 * 60_000 + 30_000, '2h 5m'],
    ];
    for (const [ms, text] of cases) {
      it(`formats ${ms} ms as "${text}"`, () => {
        assert.equal(formatDuration(ms), text);
      });
    }

    it('rounds 59.6 s up into the minutes', () => {
      assert.equal(formatDuration(59_600), '1m 0s');
    });
  });
});

describe('formatPlanComment', () => {
  const plan = { taskId: 'gh-c1', request: 'fix the login', requester: 'octocat', plan: '1. read the code', mention: '@agent', deadline: '2026-12-01 09:00 UTC', runUrl: 'http://ui/run' };

  it("offers the check run's buttons only when the task has a check run", () => {
    assert.match(formatPlanComment({ ...plan, checkRunButtons: true }), /Reply `@agent approve` or `@agent reject <reason>` \(or use the check run's buttons\)\. Without/);
    const withoutButtons = formatPlanComment(plan);
    assert.match(withoutButtons, /Reply `@agent approve` or `@agent reject <reason>`\. Without an answer by 2026-12-01 09:00 UTC the task expires/);
    assert.doesNotMatch(withoutButtons, /check run/);
  });
});
