import assert from 'node:assert/strict';
import type { Context as ActivityContext, Info } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { ErrorType } from '../../contracts/errors';
import {
  activityTags,
  errorReporter,
  errorReportingInterceptors,
  initErrorReporting,
  isExpectedActivityFailure,
  isReportedAttempt,
  scrubEvent,
  secretValues,
  type ErrorContext,
  type ErrorReporter,
} from '../../workers/error-reporting';

/** Records what would be sent: the interceptor's rules are tested without a network. */
class RecordingReporter implements ErrorReporter {
  readonly enabled = true;
  readonly captured: { error: unknown; context: ErrorContext | undefined }[] = [];
  capture(error: unknown, context?: ErrorContext): void {
    this.captured.push({ error, context });
  }
  flush(): Promise<boolean> {
    return Promise.resolve(true);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const info = (overrides: Partial<Info> = {}): Info =>
  ({
    activityId: '7',
    activityType: 'finishTask',
    attempt: 1,
    isLocal: false,
    taskQueue: 'agent-bot',
    workflowExecution: { workflowId: 'api:t-1/task/api-abc', runId: 'r' },
    retryPolicy: { maximumAttempts: 12, nonRetryableErrorTypes: [ErrorType.AgentFailed] },
    ...overrides,
  }) as Info;

async function runIntercepted(reporter: ErrorReporter, activityInfo: Info, error: Error, args: unknown[] = [], aborted = false): Promise<unknown> {
  const ctx = { info: activityInfo, cancellationSignal: { aborted } } as unknown as ActivityContext;
  const inbound = errorReportingInterceptors(reporter)(ctx).inbound!;
  const input = { args, headers: {} } as ActivityExecuteInput;
  return inbound.execute!(input, () => Promise.reject(error)).then(
    () => assert.fail('the failure must be rethrown'),
    (thrown: unknown) => thrown,
  );
}

describe('error reporting', () => {
  describe('which activity failures are reported', () => {
    it('skips outcomes (the agent failing, providers refusing or down, cancellation) and reports everything else', () => {
      for (const type of [ErrorType.AgentFailed, ErrorType.AgentTimeout, ErrorType.AgentIdle, ErrorType.WorkspaceRefused, ErrorType.GithubNotFound, ErrorType.ProviderUnavailable, ErrorType.ProviderRateLimited, ErrorType.ProviderRejected]) {
        assert.equal(isExpectedActivityFailure(ApplicationFailure.nonRetryable('x', type), false), true, type);
      }
      assert.equal(isExpectedActivityFailure(new CancelledFailure('cancelled'), false), true);
      assert.equal(isExpectedActivityFailure(new Error('whatever it is'), true), true, 'the activity was cancelled');
      assert.equal(isExpectedActivityFailure(new TypeError('x is undefined'), false), false);
      assert.equal(isExpectedActivityFailure(ApplicationFailure.nonRetryable('no claude', ErrorType.AgentCommandNotFound), false), false, 'the worker lacks its agent CLI');
      assert.equal(isExpectedActivityFailure(ApplicationFailure.nonRetryable('no token', ErrorType.ApiCallbackUnsigned), false), false);
      assert.equal(isExpectedActivityFailure(ApplicationFailure.retryable('untyped'), false), false);
    });

    it('reports the first failed attempt and the last one, not the retries between', () => {
      const error = new TypeError('boom');
      assert.equal(isReportedAttempt(info({ attempt: 1 }), error), true);
      assert.equal(isReportedAttempt(info({ attempt: 2 }), error), false);
      assert.equal(isReportedAttempt(info({ attempt: 11 }), error), false);
      assert.equal(isReportedAttempt(info({ attempt: 12 }), error), true, 'maximumAttempts reached');
      assert.equal(isReportedAttempt(info({ attempt: 3 }), ApplicationFailure.nonRetryable('x', 'Odd')), true, 'non-retryable: the last attempt');
      assert.equal(isReportedAttempt(info({ attempt: 3, retryPolicy: { maximumAttempts: 0 } }), error), false, 'unlimited attempts');
    });

    it('tags an activity with its workflow, task and provider, from its input or its workflow id', () => {
      const thread = { provider: 'api', key: 't-1' };
      assert.deepEqual(activityTags(info(), [{ task: { taskId: 'api-abc', thread } }]), { workflow_id: 'api:t-1/task/api-abc', task_id: 'api-abc', provider: 'api', activity: 'finishTask', attempt: 1 });
      assert.deepEqual(activityTags(info({ activityType: 'runAgent', workflowExecution: { workflowId: 'github:acme/w#4/task/gh-c9', runId: 'r' } }), [{ thread: { provider: 'github' }, command: { taskId: 'gh-c9' } }]), {
        workflow_id: 'github:acme/w#4/task/gh-c9',
        task_id: 'gh-c9',
        provider: 'github',
        activity: 'runAgent',
        attempt: 1,
      });
      assert.deepEqual(activityTags(info({ activityType: 'replyOnThread', isLocal: true, workflowExecution: { workflowId: 'slack:T1/C2/1.2', runId: 'r' } }), [{}]), {
        workflow_id: 'slack:T1/C2/1.2',
        task_id: undefined,
        provider: 'slack',
        activity: 'replyOnThread',
        attempt: 1,
        local_activity: 'true',
      });
    });

    it('the interceptor reports what the rules say, with the tags, and rethrows the failure untouched', async () => {
      const reporter = new RecordingReporter();
      const bug = new TypeError('x is undefined');
      assert.equal(await runIntercepted(reporter, info(), bug, [{ task: { taskId: 'api-abc', thread: { provider: 'api' } } }]), bug);
      assert.equal(reporter.captured.length, 1);
      assert.equal(reporter.captured[0]!.error, bug);
      assert.equal(reporter.captured[0]!.context?.tags?.['task_id'], 'api-abc');
      await runIntercepted(reporter, info({ attempt: 2 }), bug);
      await runIntercepted(reporter, info(), ApplicationFailure.nonRetryable('the agent failed', ErrorType.AgentFailed));
      await runIntercepted(reporter, info(), bug, [], true);
      assert.equal(reporter.captured.length, 1, 'a retry, an agent failure and a cancellation are not reported');
    });
  });

  describe('scrubbing', () => {
    const secrets = secretValues(
      { GITHUB_TOKEN: 'ghs_configuredToken123', GITHUB_WEBHOOK_SECRET: ['old-webhook-secret', 'new-webhook-secret'], AGENT_BOT_API_TOKEN: 'api-token-42', SLACK_SIGNING_SECRET: 'abc', AGENT_KIND: 'claude-secret-not' },
      { ANTHROPIC_API_KEY: 'sk-ant-from-the-environment-123456', HOME: '/root' },
    );

    it('collects every configured secret and secret-named variable, lists included, short ones left out', () => {
      assert.deepEqual([...secrets].sort(), ['api-token-42', 'ghs_configuredToken123', 'new-webhook-secret', 'old-webhook-secret', 'sk-ant-from-the-environment-123456'].sort());
    });

    it('removes secrets from messages, frames, request data and extras, and whole values of secret fields', () => {
      const event = scrubEvent(
        {
          type: undefined,
          message: 'failed with api-token-42',
          exception: { values: [{ type: 'Error', value: 'git clone https://x:ghs_configuredToken123@github.com/acme/w failed', stacktrace: { frames: [{ context_line: "const key = 'new-webhook-secret';" }] } }] },
          request: { url: '/api/tasks', headers: { authorization: 'Bearer api-token-42', 'x-hub-signature-256': 'sha256=abc', 'user-agent': 'curl/8' } },
          extra: { nested: [{ note: 'old-webhook-secret and sk-ant-from-the-environment-123456' }], github_token: 12345, apiKey: 'k', input_tokens_count: 3 },
          tags: { provider: 'api' },
        },
        secrets,
      );
      const text = JSON.stringify(event);
      for (const secret of secrets) assert.ok(!text.includes(secret), secret);
      assert.equal(event.message, 'failed with [redacted]');
      assert.equal(event.exception?.values?.[0]?.value, 'git clone https://x:[redacted]@github.com/acme/w failed');
      assert.equal(event.request?.headers?.['authorization'], '[redacted]');
      assert.equal(event.request?.headers?.['x-hub-signature-256'], '[redacted]');
      assert.equal(event.request?.headers?.['user-agent'], 'curl/8');
      assert.equal((event.extra as Record<string, unknown>)['github_token'], '[redacted]');
      assert.equal((event.extra as Record<string, unknown>)['apiKey'], '[redacted]');
      assert.equal((event.extra as Record<string, unknown>)['input_tokens_count'], 3);
      assert.equal(event.tags?.['provider'], 'api');
    });

    it('catches well-known token shapes that are not configured here', () => {
      const event = scrubEvent({ type: undefined, message: 'tokens ghp_abcdefghijklmnopqrstuvwxyz0123 xoxb-1234567890-abcdef and Bearer eyJhbGciOiJIUzI1NiJ9.x.y' }, []);
      assert.equal(event.message, 'tokens [redacted] [redacted] and [redacted]');
    });
  });

  it('without SENTRY_DSN nothing is set up and nothing can be sent', () => {
    const reporter = initErrorReporting({ SENTRY_DSN: undefined, SENTRY_ENVIRONMENT: undefined }, { component: 'worker' });
    assert.equal(reporter.enabled, false);
    assert.equal(errorReporter().enabled, false);
    reporter.capture(new Error('nowhere to go'));
  });
});
