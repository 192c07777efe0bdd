import assert from 'node:assert/strict';
import { routeGithubEvent, type GithubAction, type RoutingPolicy } from '../../integrations/github/route-event';
import { DEFAULT_COMMANDS } from '../../config/schema';
import { taskMarker } from '../../integrations/github/task-comment';
import { commentPayload, githubFixture } from '../support/webhooks';

const POLICY: RoutingPolicy = { mention: '@agent', allowedUsers: [], botLogin: undefined, commands: DEFAULT_COMMANDS, defaultCommand: 'ask' };
const DELIVERY = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
const NOW = new Date('2026-11-21T09:00:05.000Z');

type CommentFixture = ReturnType<typeof commentPayload> & { issue: { title: string } };

function route(event: string, payload: unknown, policy: Partial<RoutingPolicy> = {}): GithubAction {
  return routeGithubEvent(event, DELIVERY, payload, { ...POLICY, ...policy }, NOW);
}

function expectKind<K extends GithubAction['kind']>(action: GithubAction, kind: K): Extract<GithubAction, { kind: K }> {
  assert.equal(action.kind, kind, `expected ${kind}, got ${JSON.stringify(action)}`);
  return action as Extract<GithubAction, { kind: K }>;
}

describe('routeGithubEvent', () => {
  describe('issue_comment.created', () => {
    it('turns a trusted PR comment mentioning the bot into a command on the pull request', () => {
      const payload = githubFixture<CommentFixture>('issue_comment.created.pull_request');
      const action = expectKind(route('issue_comment', payload), 'command');
      assert.equal(action.thread.provider, 'github');
      assert.equal(action.thread.key, 'acme/widgets#42');
      assert.equal(action.thread.kind, 'pull request');
      assert.equal(action.thread.repo, 'acme/widgets');
      assert.deepEqual(action.thread.address, { owner: 'acme', repo: 'widgets', number: 42, kind: 'pull_request' });
      assert.equal(action.command.request, 'review this');
      assert.equal(action.command.requester, payload.comment.user.login);
      assert.equal(action.command.commentId, payload.comment.id);
      assert.equal(action.command.messageId, String(payload.comment.id));
      assert.equal(action.command.deliveryId, DELIVERY);
      assert.equal(action.command.taskId, `gh-c${payload.comment.id}`);
      assert.equal(action.command.messageKey, `github:comment:${payload.comment.id}`);
      assert.equal(action.command.receivedAt, NOW.toISOString());
      assert.equal(action.command.title, payload.issue.title);
    });

    it('answers a request naming another repository with why, and runs one naming its own', () => {
      const other = expectKind(route('issue_comment', commentPayload({ body: '@agent in acme/gadgets explain the cache' })), 'command');
      assert.equal(other.command.action, 'unknown');
      assert.match(other.command.helpText ?? '', /On GitHub I work on the repository of the issue or pull request, `acme\/widgets`: ask on an issue or pull request of `acme\/gadgets`/);
      assert.equal(other.command.repo, undefined);
      const help = expectKind(route('issue_comment', commentPayload({ body: '@agent help' })), 'command');
      assert.doesNotMatch(help.command.helpText ?? '', /Name the repository/, 'GitHub help does not offer what GitHub refuses');
      assert.match(help.command.helpText ?? '', /\*\*Commands:\*\*/);
      const own = expectKind(route('issue_comment', commentPayload({ body: '@agent explain the cache repo:ACME/widgets' })), 'command');
      assert.equal(own.command.action, 'run');
      assert.equal(own.command.repo, undefined);
    });

    it('derives the task id and message key from the comment, so two deliveries of one comment are one task', () => {
      const payload = githubFixture<CommentFixture>('issue_comment.created.pull_request');
      const first = expectKind(routeGithubEvent('issue_comment', 'delivery-a', payload, POLICY, NOW), 'command');
      const other = expectKind(routeGithubEvent('issue_comment', 'delivery-b', payload, POLICY, NOW), 'command');
      assert.equal(first.command.taskId, other.command.taskId);
      assert.equal(first.command.messageKey, other.command.messageKey);
      assert.notEqual(first.command.deliveryId, other.command.deliveryId);
      const next = expectKind(route('issue_comment', { ...payload, comment: { ...payload.comment, id: payload.comment.id + 1 } }), 'command');
      assert.notEqual(next.command.taskId, first.command.taskId);
      assert.match(first.command.taskId, /^gh-/);
    });

    it('triggers on a mention in parentheses or quotes, and not on ops@agent.dev, @agents or @agent-smith', () => {
      assert.equal(expectKind(route('issue_comment', commentPayload({ body: '(@agent) fix lint' })), 'command').command.request, 'fix lint');
      assert.equal(expectKind(route('issue_comment', commentPayload({ body: 'cc:@agent review' })), 'command').command.request, 'review');
      for (const body of ['write to ops@agent.dev', '@agents run', '@agent-smith run']) {
        expectKind(route('issue_comment', commentPayload({ body })), 'ignored');
      }
    });

    it('runs a plain request with the default command, and answers the mention alone with help', () => {
      const plain = expectKind(route('issue_comment', commentPayload({ body: '@agent please analyze the caching code' })), 'command');
      assert.equal(plain.command.action, 'run');
      assert.equal(plain.command.request, 'please analyze the caching code');
      const alone = expectKind(route('issue_comment', commentPayload({ body: '@agent' })), 'command');
      assert.equal(alone.command.action, 'help');
      assert.match(alone.command.helpText ?? '', /Commands/);
    });

    it('turns a comment on a plain issue into a command with target kind issue', () => {
      const payload = githubFixture<CommentFixture>('issue_comment.created.issue');
      const action = expectKind(route('issue_comment', payload), 'command');
      assert.equal(action.thread.key, `acme/widgets#${payload.issue.number}`);
      assert.equal(action.thread.kind, 'issue');
      assert.equal(action.command.request, 'explain why start-up crashes');
    });

    for (const association of ['CONTRIBUTOR', 'NONE', 'FIRST_TIME_CONTRIBUTOR']) {
      it(`ignores a command from an author with association ${association}, saying why`, () => {
        const action = expectKind(route('issue_comment', commentPayload({ body: '@agent run', login: 'stranger', association })), 'ignored');
        assert.match(action.reason, /not trusted/);
        assert.match(action.reason, /stranger/);
        assert.match(action.reason, new RegExp(association));
      });
    }

    for (const association of ['OWNER', 'MEMBER', 'COLLABORATOR']) {
      it(`accepts a command from an author with association ${association}`, () => {
        expectKind(route('issue_comment', commentPayload({ body: '@agent run', association })), 'command');
      });
    }

    it('accepts an allowlisted login with association NONE, comparing logins case-insensitively', () => {
      const payload = commentPayload({ body: '@agent run', login: 'Outside-Helper', association: 'NONE' });
      const action = expectKind(route('issue_comment', payload, { allowedUsers: ['someone', 'outside-helper'] }), 'command');
      assert.equal(action.command.requester, 'Outside-Helper');
    });

    it('ignores a comment from a user of type Bot', () => {
      const payload = commentPayload({ body: '@agent run' });
      (payload.comment.user as { type?: string }).type = 'Bot';
      assert.match(expectKind(route('issue_comment', payload), 'ignored').reason, /bot/);
    });

    it('ignores a comment from a [bot] login even when its type says User', () => {
      const payload = commentPayload({ body: '@agent run', login: 'dependabot[bot]' });
      assert.match(expectKind(route('issue_comment', payload), 'ignored').reason, /bot/);
    });

    it('ignores a comment carrying the agent-bot marker', () => {
      const payload = commentPayload({ body: `${taskMarker('gh-1')}\n@agent run` });
      assert.match(expectKind(route('issue_comment', payload), 'ignored').reason, /agent-bot/);
    });

    it('ignores a comment written by the configured bot login, case-insensitively', () => {
      const payload = commentPayload({ body: '@agent run', login: 'Agent-Bot-Account' });
      assert.match(expectKind(route('issue_comment', payload, { botLogin: 'agent-bot-account' }), 'ignored').reason, /agent-bot/);
    });

    it('ignores a comment without the mention, naming the mention in the reason', () => {
      const action = expectKind(route('issue_comment', commentPayload({ body: 'Looks good to me' })), 'ignored');
      assert.match(action.reason, /@agent/);
    });

    it('ignores a comment with a null body', () => {
      const payload = commentPayload({ body: '' });
      (payload.comment as { body: string | null }).body = null;
      expectKind(route('issue_comment', payload), 'ignored');
    });

    it('uses the policy mention instead of @agent', () => {
      const payload = commentPayload({ body: '@agent run' });
      expectKind(route('issue_comment', payload, { mention: '@bot' }), 'ignored');
      payload.comment.body = '@bot run';
      assert.equal(expectKind(route('issue_comment', payload, { mention: '@bot' }), 'command').command.request, 'run');
    });

    it('reports a payload without comment.user as invalid, naming the field path', () => {
      const payload = githubFixture<{ comment: Record<string, unknown> }>('issue_comment.created.pull_request');
      delete payload.comment['user'];
      const action = expectKind(route('issue_comment', payload), 'invalid');
      assert.match(action.message, /comment\.user/);
    });

    it('reports a payload with a non-numeric issue number as invalid, naming issue.number', () => {
      const payload = githubFixture<{ issue: Record<string, unknown> }>('issue_comment.created.pull_request');
      payload.issue['number'] = '42';
      assert.match(expectKind(route('issue_comment', payload), 'invalid').message, /issue\.number/);
    });
  });

  describe('other issue_comment actions', () => {
    const edited = (from: string, body: string) => ({
      ...commentPayload({ body }),
      action: 'edited',
      changes: { body: { from } },
      comment: { ...commentPayload({ body }).comment, updated_at: '2026-11-21T09:00:04Z' },
    });

    it('runs an edit that adds the mention, as a version of its own', () => {
      const action = expectKind(route('issue_comment', edited('LGTM', 'LGTM\n\n@agent review this')), 'command');
      assert.equal(action.command.request, 'review this');
      assert.equal(action.command.messageKey, `github:comment:${action.command.commentId}@2026-11-21T09:00:04Z`);
      assert.notEqual(action.command.taskId, `gh-c${action.command.commentId}`);
    });

    it('ignores an edit of a comment that already held a command (a typo fix must not run it again)', () => {
      assert.match(expectKind(route('issue_comment', edited('@agent reveiw this', '@agent review this')), 'ignored').reason, /already held a command/);
    });

    it('ignores issue_comment.deleted even when the comment mentions the bot', () => {
      const payload = { ...commentPayload({ body: '@agent run' }), action: 'deleted' };
      assert.match(expectKind(route('issue_comment', payload), 'ignored').reason, /issue_comment\.deleted/);
    });
  });

  describe('close events', () => {
    it('turns pull_request.closed into a close of the pull request', () => {
      const action = expectKind(route('pull_request', githubFixture('pull_request.closed')), 'close');
      assert.equal(action.thread.key, 'acme/widgets#42');
      assert.equal(action.thread.kind, 'pull request');
    });

    it('turns issues.closed into a close of the issue', () => {
      const payload = githubFixture<{ issue: { number: number } }>('issues.closed');
      const action = expectKind(route('issues', payload), 'close');
      assert.equal(action.thread.key, `acme/widgets#${payload.issue.number}`);
      assert.equal(action.thread.kind, 'issue');
    });

    it('ignores pull_request events other than closed', () => {
      const payload = { ...githubFixture('pull_request.closed'), action: 'opened' };
      assert.match(expectKind(route('pull_request', payload), 'ignored').reason, /pull_request\.opened/);
    });

    it('reports a pull_request.closed without a number as invalid, naming the field', () => {
      const payload = githubFixture<Record<string, unknown>>('pull_request.closed');
      delete payload['number'];
      assert.match(expectKind(route('pull_request', payload), 'invalid').message, /number/);
    });
  });

  describe('other events', () => {
    it('answers ping with ping', () => {
      assert.deepEqual(route('ping', githubFixture('ping')), { kind: 'ping' });
    });

    it('ignores a push event with a reason naming the event', () => {
      assert.match(expectKind(route('push', { ref: 'refs/heads/main' }), 'ignored').reason, /push/);
    });

    it('ignores an unknown event whose payload is not an object', () => {
      assert.match(expectKind(route('workflow_run', null), 'ignored').reason, /workflow_run/);
    });
  });
});

describe('routeGithubEvent: approvals and check run buttons', () => {
  const checkRun = (externalId: string | null, identifier = 'approve', repo = 'widgets') => {
    const payload = githubFixture<Record<string, unknown>>('check_run.requested_action');
    payload['check_run'] = { id: 4, external_id: externalId };
    payload['requested_action'] = { identifier };
    payload['repository'] = { name: repo, owner: { login: 'acme' } };
    return payload;
  };

  it('turns a check run button into a decision for the task workflow named by its external id', () => {
    const action = route('check_run', checkRun('github:acme/widgets#42/task/gh-1'));
    assert.deepEqual(action, {
      kind: 'decision',
      taskWorkflowId: 'github:acme/widgets#42/task/gh-1',
      decision: { decision: 'approve', by: 'octocat', via: 'check_run', trusted: false },
    });
  });

  it('ignores a button whose check run belongs to another repository or is not a task', () => {
    assert.equal(route('check_run', checkRun('github:evil/other#1/task/gh-1')).kind, 'ignored');
    assert.equal(route('check_run', checkRun('github:acme/widgets#42')).kind, 'ignored');
    assert.equal(route('check_run', checkRun(null)).kind, 'ignored');
    assert.equal(route('check_run', checkRun('github:acme/widgets#42/task/gh-1', 'rerun')).kind, 'ignored');
  });

  it('routes an approval by an untrusted author to the running thread only, marked untrusted', () => {
    const payload = commentPayload({ body: '@agent approve', association: 'NONE', login: 'stranger' });
    const action = route('issue_comment', payload);
    assert.equal(action.kind, 'command');
    if (action.kind !== 'command') return;
    assert.equal(action.signalOnly, true);
    assert.equal(action.command.action, 'approve');
    assert.equal(action.command.trusted, false);
  });

  it('still ignores any other command from an untrusted author', () => {
    assert.equal(route('issue_comment', commentPayload({ body: '@agent status', association: 'NONE', login: 'stranger' })).kind, 'ignored');
  });
});
