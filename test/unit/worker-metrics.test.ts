import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TaskPresence } from '../../contracts/presence';
import type { ThreadRef } from '../../contracts/thread';
import { Transports, type TaskOnThread, type ThreadTransport } from '../../integrations/transport';
import { WorkerMetrics, providerCallResult } from '../../workers/worker-metrics';
import { parsePrometheus, sampleValue } from '../support/prometheus';

const thread: ThreadRef = { provider: 'slack', key: 'T1/C123/1700000000.000100', kind: 'thread', label: '#general', address: { channel: 'C123' } };
const task: TaskOnThread = { thread, header: { taskId: 'slack-1700000000.000200', request: 'explain', requester: 'U1', runUrl: 'http://ui', mention: '@agent' }, taskWorkflowId: 'slack:T1/C123/1700000000.000100/task/slack-1700000000.000200', startedAt: new Date().toISOString() };

/** A Slack transport whose answers the test scripts: progress skipped, a rate limit, a refusal. */
function scriptedTransport(): ThreadTransport {
  return {
    provider: 'slack',
    react: () => Promise.reject(ApplicationFailure.retryable('slow down', ErrorType.ProviderRateLimited)),
    reply: () => Promise.reject(ApplicationFailure.nonRetryable('not_in_channel', ErrorType.ProviderForbidden)),
    begin: (_task, options) => Promise.resolve({ presence: options.presence, context: { notes: [] } }),
    checkout: () => undefined,
    show: (_task, presence: TaskPresence, _view, options) => Promise.resolve(options.priority === 'progress' ? undefined : { ...presence, messageId: '1700000000.000300' }),
    mayApprove: () => Promise.reject(new TypeError('a bug')),
  };
}

describe('worker metrics: bounded labels', () => {
  it('counts each transport call by provider, kind of call and result; a skipped progress edit is `skipped`', async () => {
    const metrics = new WorkerMetrics({ agentKind: 'claude' });
    const transports = metrics.instrumentTransports(new Transports([scriptedTransport()]));
    const slack = transports.for(thread);
    assert.equal(await slack.show(task, {}, { phase: 'working', stage: 'running', elapsedMs: 1 }, { priority: 'progress' }), undefined);
    assert.deepEqual(await slack.show(task, {}, { phase: 'final', outcome: 'succeeded', text: 'done', durationMs: 1, usage: {} }, { priority: 'urgent' }), { messageId: '1700000000.000300' });
    await assert.rejects(slack.react(thread, '1700000000.000100', 'accepted'), /slow down/);
    await assert.rejects(slack.reply(thread, 'hello'), /not_in_channel/);
    await assert.rejects(slack.mayApprove(thread, { name: 'someone' }), TypeError);
    await slack.begin(task, { mayExist: false, presence: {} });

    const samples = parsePrometheus(await metrics.registry.metrics());
    const calls = (call: string, result: string) => sampleValue(samples, 'agent_bot_provider_calls_total', { provider: 'slack', call, result });
    assert.deepEqual(
      [calls('show_progress', 'skipped'), calls('show', 'ok'), calls('react', 'rate_limited'), calls('reply', 'refused'), calls('may_approve', 'error'), calls('begin', 'ok')],
      [1, 1, 1, 1, 1, 1],
    );
  });

  it('names a provider that is not one of the worker\'s transports `other`, and never puts an id in a label', async () => {
    const metrics = new WorkerMetrics({ agentKind: 'command' });
    metrics.instrumentTransports(new Transports([scriptedTransport()]));
    metrics.taskFinished('slack', 'succeeded');
    metrics.taskFinished('T1/C123 injected', 'failed');
    metrics.agentRun('slack', 'succeeded', 12.5, { costUsd: 0.25, inputTokens: 100, outputTokens: 40 });
    const hooks = metrics.writeBudgetHooks('slack');
    hooks.skipped?.(['slack:channel:C123']);
    hooks.paused?.(['slack:channel:C123'], 30_000);
    const text = await metrics.registry.metrics();
    const samples = parsePrometheus(text);
    assert.equal(sampleValue(samples, 'agent_bot_tasks_total', { provider: 'slack', outcome: 'succeeded' }), 1);
    assert.equal(sampleValue(samples, 'agent_bot_tasks_total', { provider: 'other', outcome: 'failed' }), 1);
    assert.equal(sampleValue(samples, 'agent_bot_agent_cost_usd_total', { provider: 'slack', agent: 'command' }), 0.25);
    assert.equal(sampleValue(samples, 'agent_bot_agent_tokens_total', { provider: 'slack', agent: 'command', direction: 'output' }), 40);
    assert.equal(sampleValue(samples, 'agent_bot_agent_run_seconds_sum', { provider: 'slack', agent: 'command', outcome: 'succeeded' }), 12.5);
    assert.equal(sampleValue(samples, 'agent_bot_write_budget_skipped_total', { provider: 'slack' }), 1);
    assert.equal(sampleValue(samples, 'agent_bot_rate_limit_pause_seconds_total', { provider: 'slack' }), 30);
    assert.doesNotMatch(text, /C123|injected|1700000000/);
  });

  it('classifies provider failures as their errors modules typed them', () => {
    assert.equal(providerCallResult(ApplicationFailure.retryable('429', ErrorType.GithubRateLimited)), 'rate_limited');
    assert.equal(providerCallResult(ApplicationFailure.nonRetryable('404', ErrorType.GithubNotFound)), 'refused');
    assert.equal(providerCallResult(ApplicationFailure.retryable('502', ErrorType.GithubServerError)), 'unavailable');
    assert.equal(providerCallResult(ApplicationFailure.retryable('timeout', ErrorType.ProviderUnavailable)), 'unavailable');
    assert.equal(providerCallResult(new Error('boom')), 'error');
  });
});
