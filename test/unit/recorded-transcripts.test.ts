import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { AgentEvent, LineParser } from '../../activities/agent/events';
import { parseClaudeLine, parseCodexLine } from '../../activities/agent/parsers';
import { ResultCollector } from '../../activities/agent/result-collector';
import type { AgentUsage } from '../../contracts/task';

// Transcripts recorded from the real CLIs (against stand-in model servers), fed line by line through
// the parsers and the ResultCollector exactly as runProcess does with the agent's stdout.

const FIXTURES = path.join(__dirname, '..', 'fixtures');

type Json = Record<string, unknown>;

function fixtureLines(name: string): string[] {
  return fs
    .readFileSync(path.join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The transcript's own lines, as JSON, to derive expectations from the file rather than copy numbers. */
function records(name: string): Json[] {
  return fixtureLines(name).map((line) => JSON.parse(line) as Json);
}

function record(name: string, predicate: (json: Json) => boolean): Json {
  const found = records(name).find(predicate);
  assert.ok(found, `no matching line in ${name}`);
  return found;
}

function replay(name: string, parse: LineParser): AgentEvent[] {
  return fixtureLines(name).flatMap((line) => parse(line));
}

function collect(events: AgentEvent[], collector = new ResultCollector()): ResultCollector {
  for (const event of events) collector.add(event);
  return collector;
}

function ofKind<K extends AgentEvent['kind']>(events: AgentEvent[], kind: K): Extract<AgentEvent, { kind: K }>[] {
  return events.filter((event): event is Extract<AgentEvent, { kind: K }> => event.kind === kind);
}

function single<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, `expected one ${what}, got ${JSON.stringify(items)}`);
  return items[0]!;
}

/** `turn.completed` usage of a codex transcript, in our terms. */
function codexTurnUsage(name: string): { inputTokens: number; outputTokens: number } {
  const usage = record(name, (json) => json['type'] === 'turn.completed')['usage'] as { input_tokens: number; output_tokens: number };
  return { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
}

describe('recorded claude transcripts', () => {
  describe('success.jsonl', () => {
    const FILE = 'claude/success.jsonl';
    const events = replay(FILE, parseClaudeLine);
    const init = record(FILE, (json) => json['type'] === 'system' && json['subtype'] === 'init');
    const result = record(FILE, (json) => json['type'] === 'result');
    const resultUsage = result['usage'] as { input_tokens: number; output_tokens: number };
    const toolUseResult = record(FILE, (json) => json['type'] === 'user')['tool_use_result'] as { stdout: string };

    it('takes the session id, model and tools from the init line', () => {
      const session = single(ofKind(events, 'session'), 'session');
      assert.equal(session.sessionId, init['session_id']);
      assert.equal(session.model, init['model']);
      assert.ok(session.tools?.includes('Bash'));
    });

    it('turns the tool_use block into a Bash tool call running cat README.md', () => {
      const call = single(ofKind(events, 'tool_call'), 'tool call');
      assert.equal(call.name, 'Bash');
      assert.equal((call.input as { command?: unknown }).command, 'cat README.md');
      assert.equal(call.id, 'toolu_standin000001');
    });

    it('turns the tool_result block into a successful result with the README text, tied to the call', () => {
      const toolResult = single(ofKind(events, 'tool_result'), 'tool result');
      assert.equal(toolResult.output, toolUseResult.stdout);
      assert.match(toolResult.output, /magic word is xylophone-42/);
      assert.equal(toolResult.isError, false);
      assert.equal(toolResult.id, single(ofKind(events, 'tool_call'), 'tool call').id);
    });

    it('reports the narration and the final answer as text events, in order', () => {
      assert.deepEqual(
        ofKind(events, 'text').map((event) => event.text),
        ['I will run `cat README.md`.', result['result']],
      );
    });

    it('reads final text, turns, cost and token totals from the result line', () => {
      const final = single(ofKind(events, 'result'), 'result');
      assert.deepEqual(final, {
        kind: 'result',
        isError: false,
        text: result['result'],
        sessionId: result['session_id'],
        subtype: 'success',
        usage: {
          costUsd: result['total_cost_usd'],
          turns: result['num_turns'],
          inputTokens: resultUsage.input_tokens,
          outputTokens: resultUsage.output_tokens,
        },
      });
    });

    it('collects a successful outcome with the final answer, the session id and the totals', () => {
      const outcome = collect(events).finish('claude', 0);
      assert.equal(outcome.success, true);
      assert.equal(outcome.failureType, undefined);
      assert.equal(outcome.text, result['result']);
      assert.equal(outcome.sessionId, init['session_id']);
      assert.deepEqual(outcome.usage, {
        costUsd: result['total_cost_usd'],
        turns: result['num_turns'],
        inputTokens: resultUsage.input_tokens,
        outputTokens: resultUsage.output_tokens,
      });
      // claude reports no running session totals: nothing to carry to the next task.
      assert.equal(outcome.sessionUsage, undefined);
    });
  });

  describe('error-max-turns.jsonl', () => {
    const FILE = 'claude/error-max-turns.jsonl';
    const result = record(FILE, (json) => json['type'] === 'result');

    it('fails as AgentMaxTurns, naming the subtype and the CLI error', () => {
      const errors = result['errors'] as string[];
      const outcome = collect(replay(FILE, parseClaudeLine)).finish('claude', 1);
      assert.equal(outcome.success, false);
      assert.equal(outcome.failureType, 'AgentMaxTurns');
      assert.ok(errors.length > 0);
      for (const error of errors) assert.ok(outcome.text.includes(error), outcome.text);
      assert.match(outcome.text, /maximum number of turns/);
      assert.match(outcome.text, /error_max_turns/);
    });

    it('still keeps the session id and the cost of the stopped run', () => {
      const outcome = collect(replay(FILE, parseClaudeLine)).finish('claude', 1);
      assert.equal(outcome.sessionId, result['session_id']);
      assert.equal(outcome.usage.costUsd, result['total_cost_usd']);
      assert.equal(outcome.usage.turns, result['num_turns']);
    });

    it('fails on the result line alone, even when the CLI exits 0', () => {
      const outcome = collect(replay(FILE, parseClaudeLine)).finish('claude', 0);
      assert.equal(outcome.success, false);
      assert.equal(outcome.failureType, 'AgentMaxTurns');
    });
  });

  describe('api-error-500.jsonl', () => {
    const FILE = 'claude/api-error-500.jsonl';
    const result = record(FILE, (json) => json['type'] === 'result');

    it('is recorded with subtype success and is_error true', () => {
      assert.equal(result['subtype'], 'success');
      assert.equal(result['is_error'], true);
    });

    it('parses the result line as an error despite its success subtype', () => {
      const final = single(ofKind(replay(FILE, parseClaudeLine), 'result'), 'result');
      assert.equal(final.isError, true);
      assert.equal(final.subtype, 'success');
      assert.equal(final.text, result['result']);
    });

    it('fails as AgentFailed with the API error text, without calling it a success', () => {
      const outcome = collect(replay(FILE, parseClaudeLine)).finish('claude', 1);
      assert.equal(outcome.success, false);
      assert.equal(outcome.failureType, 'AgentFailed');
      assert.ok(outcome.text.includes('API Error: 500'), outcome.text);
      assert.equal(outcome.text.includes('(success)'), false, outcome.text);
    });

    it('fails even when the CLI exits 0', () => {
      const outcome = collect(replay(FILE, parseClaudeLine)).finish('claude', 0);
      assert.equal(outcome.success, false);
      assert.ok(outcome.text.includes('API Error: 500'), outcome.text);
    });

    it('keeps the api_retry system line as an unknown event, not a second session', () => {
      const events = replay(FILE, parseClaudeLine);
      assert.equal(ofKind(events, 'session').length, 1);
      assert.ok(ofKind(events, 'unknown').some((event) => (event.raw as Json)['subtype'] === 'api_retry'));
    });
  });
});

describe('recorded codex transcripts', () => {
  describe('exec-success.jsonl', () => {
    const FILE = 'codex/exec-success.jsonl';
    const events = replay(FILE, parseCodexLine);
    const threadId = record(FILE, (json) => json['type'] === 'thread.started')['thread_id'];
    const started = record(FILE, (json) => json['type'] === 'item.started')['item'] as { id: string; command: string };
    const completed = record(FILE, (json) => json['type'] === 'item.completed' && (json['item'] as Json)['type'] === 'command_execution')['item'] as {
      aggregated_output: string;
    };
    const messages = records(FILE)
      .filter((json) => json['type'] === 'item.completed' && (json['item'] as Json)['type'] === 'agent_message')
      .map((json) => (json['item'] as { text: string }).text);
    const turn = codexTurnUsage(FILE);

    it('takes the session id from thread.started', () => {
      assert.deepEqual(single(ofKind(events, 'session'), 'session'), { kind: 'session', sessionId: threadId });
    });

    it('turns the started command_execution into a shell tool call with the command', () => {
      assert.deepEqual(single(ofKind(events, 'tool_call'), 'tool call'), {
        kind: 'tool_call',
        id: started.id,
        name: 'shell',
        input: { command: started.command },
      });
    });

    it('turns the completed command_execution into a successful tool result with its output', () => {
      const toolResult = single(ofKind(events, 'tool_result'), 'tool result');
      assert.equal(toolResult.output, completed.aggregated_output);
      assert.match(toolResult.output, /magic-token-7f3a/);
      assert.equal(toolResult.isError, false);
      assert.equal(toolResult.id, started.id);
    });

    it('reports every agent_message as text, the answer last', () => {
      assert.equal(messages.length, 2);
      assert.deepEqual(
        ofKind(events, 'text').map((event) => event.text),
        messages,
      );
    });

    it('reports turn.completed as a session-total usage event with its token counts', () => {
      assert.deepEqual(single(ofKind(events, 'usage'), 'usage'), {
        kind: 'usage',
        sessionTotal: true,
        usage: { turns: 1, inputTokens: turn.inputTokens, outputTokens: turn.outputTokens },
      });
    });

    it('collects a successful outcome with the last message, the thread id and the turn usage', () => {
      const outcome = collect(events).finish('codex', 0);
      assert.equal(outcome.success, true);
      assert.equal(outcome.text, messages.at(-1));
      assert.equal(outcome.sessionId, threadId);
      assert.deepEqual(outcome.usage, { turns: 1, inputTokens: turn.inputTokens, outputTokens: turn.outputTokens });
      assert.equal(outcome.sessionUsage?.inputTokens, turn.inputTokens);
      assert.equal(outcome.sessionUsage?.outputTokens, turn.outputTokens);
    });
  });

  describe('exec-resume.jsonl', () => {
    const FILE = 'codex/exec-resume.jsonl';
    const first = codexTurnUsage('codex/exec-success.jsonl');
    const resumed = codexTurnUsage(FILE);

    it('reports a larger running total than the first task, in the same thread', () => {
      assert.ok(resumed.inputTokens > first.inputTokens && resumed.outputTokens > first.outputTokens);
      assert.equal(
        record(FILE, (json) => json['type'] === 'thread.started')['thread_id'],
        record('codex/exec-success.jsonl', (json) => json['type'] === 'thread.started')['thread_id'],
      );
    });

    it("counts only the task's own share against the previous task's totals", () => {
      const collector = collect(replay(FILE, parseCodexLine), new ResultCollector(undefined, { ...first, turns: 1 }));
      assert.deepEqual(collector.usage(), {
        turns: 1,
        inputTokens: resumed.inputTokens - first.inputTokens,
        outputTokens: resumed.outputTokens - first.outputTokens,
      });
    });

    it('keeps the running total as the next baseline, in sessionTotals() and the outcome', () => {
      const collector = collect(replay(FILE, parseCodexLine), new ResultCollector(undefined, first));
      const totals = collector.sessionTotals();
      assert.equal(totals?.inputTokens, resumed.inputTokens);
      assert.equal(totals?.outputTokens, resumed.outputTokens);
      const outcome = collector.finish('codex', 0);
      assert.equal(outcome.success, true);
      assert.equal(outcome.sessionUsage?.inputTokens, resumed.inputTokens);
      assert.equal(outcome.sessionUsage?.outputTokens, resumed.outputTokens);
      assert.equal(outcome.usage.inputTokens, resumed.inputTokens - first.inputTokens);
    });

    it('chains: the first task’s sessionTotals() as baseline gives the resumed task its share', () => {
      const firstCollector = collect(replay('codex/exec-success.jsonl', parseCodexLine));
      const baseline = firstCollector.sessionTotals();
      assert.ok(baseline);
      const second = collect(replay(FILE, parseCodexLine), new ResultCollector(undefined, baseline));
      assert.equal(second.usage().inputTokens, resumed.inputTokens - first.inputTokens);
      assert.equal(second.usage().outputTokens, resumed.outputTokens - first.outputTokens);
    });

    it('counts the whole total when the baseline is empty (a new session)', () => {
      const collector = collect(replay(FILE, parseCodexLine));
      assert.equal(collector.usage().inputTokens, resumed.inputTokens);
      assert.equal(collector.usage().outputTokens, resumed.outputTokens);
    });
  });

  describe('exec-server-error.jsonl', () => {
    const FILE = 'codex/exec-server-error.jsonl';
    const failed = record(FILE, (json) => json['type'] === 'turn.failed')['error'] as { message: string };

    it('turns the error and turn.failed lines into error events', () => {
      const errors = ofKind(replay(FILE, parseCodexLine), 'error');
      assert.equal(errors.length, 2);
      assert.equal(errors.at(-1)?.message, failed.message);
    });

    it('fails with the error message when codex exits 1', () => {
      const outcome = collect(replay(FILE, parseCodexLine)).finish('codex', 1);
      assert.equal(outcome.success, false);
      assert.ok(outcome.text.includes(failed.message), outcome.text);
      assert.match(outcome.text, /exited with code 1/);
    });

    it('fails even if codex exited 0, since the turn failed without an answer', () => {
      const outcome = collect(replay(FILE, parseCodexLine)).finish('codex', 0);
      assert.equal(outcome.success, false);
      assert.ok(outcome.text.includes(failed.message), outcome.text);
    });
  });

  describe('exec-unknown-model.jsonl', () => {
    const FILE = 'codex/exec-unknown-model.jsonl';
    const warning = record(FILE, (json) => json['type'] === 'item.completed' && (json['item'] as Json)['type'] === 'error')['item'] as { message: string };
    const answer = records(FILE)
      .filter((json) => json['type'] === 'item.completed' && (json['item'] as Json)['type'] === 'agent_message')
      .map((json) => (json['item'] as { text: string }).text)
      .at(-1);

    it('turns the error item into a stderr warning line, not an error event', () => {
      const events = replay(FILE, parseCodexLine);
      assert.equal(ofKind(events, 'error').length, 0);
      const outputs = ofKind(events, 'output');
      assert.deepEqual(single(outputs, 'output'), { kind: 'output', line: `warning: ${warning.message}`, stream: 'stderr' });
    });

    it('still succeeds with the final answer', () => {
      const outcome = collect(replay(FILE, parseCodexLine)).finish('codex', 0);
      assert.equal(outcome.success, true);
      assert.ok(answer);
      assert.equal(outcome.text, answer);
      assert.equal(outcome.text.includes('Model metadata'), false);
    });
  });
});

describe('ResultCollector pricing on recorded transcripts', () => {
  const PRICE = { input: 1.25, output: 10 };

  it('computes costUsd from codex token counts, which come without a cost', () => {
    const turn = codexTurnUsage('codex/exec-success.jsonl');
    const withoutPrice = collect(replay('codex/exec-success.jsonl', parseCodexLine)).usage();
    assert.equal(withoutPrice.costUsd, undefined);
    const usage = collect(replay('codex/exec-success.jsonl', parseCodexLine), new ResultCollector(PRICE)).usage();
    const expected = (turn.inputTokens / 1e6) * PRICE.input + (turn.outputTokens / 1e6) * PRICE.output;
    assert.ok(usage.costUsd !== undefined && Math.abs(usage.costUsd - expected) < 1e-12, `costUsd ${usage.costUsd}, expected ${expected}`);
  });

  it('prices only the resumed task’s own share of the codex session', () => {
    const first = codexTurnUsage('codex/exec-success.jsonl');
    const resumed = codexTurnUsage('codex/exec-resume.jsonl');
    const usage = collect(replay('codex/exec-resume.jsonl', parseCodexLine), new ResultCollector(PRICE, first)).usage();
    const expected = ((resumed.inputTokens - first.inputTokens) * PRICE.input + (resumed.outputTokens - first.outputTokens) * PRICE.output) / 1e6;
    assert.ok(usage.costUsd !== undefined && Math.abs(usage.costUsd - expected) < 1e-12, `costUsd ${usage.costUsd}, expected ${expected}`);
  });

  it('never overrides the cost claude reported', () => {
    const reported = record('claude/success.jsonl', (json) => json['type'] === 'result')['total_cost_usd'];
    const usage: AgentUsage = collect(replay('claude/success.jsonl', parseClaudeLine), new ResultCollector(PRICE)).usage();
    const priced = ((usage.inputTokens ?? 0) * PRICE.input + (usage.outputTokens ?? 0) * PRICE.output) / 1e6;
    assert.notEqual(priced, reported, 'the fixture must tell a reported cost from a computed one');
    assert.equal(usage.costUsd, reported);
  });

  it('keeps a reported cost of zero rather than pricing the tokens', () => {
    // api-error-500.jsonl reports total_cost_usd 0 with zero tokens; with tokens, a falsy check would price them.
    const events: AgentEvent[] = [{ kind: 'result', isError: true, text: 'API Error: 500', usage: { costUsd: 0, inputTokens: 1000, outputTokens: 1000 } }];
    assert.equal(collect(events, new ResultCollector(PRICE)).usage().costUsd, 0);
  });

  it('puts the computed cost in the outcome too', () => {
    const outcome = collect(replay('codex/exec-success.jsonl', parseCodexLine), new ResultCollector(PRICE)).finish('codex', 0);
    assert.ok(outcome.usage.costUsd !== undefined && outcome.usage.costUsd > 0);
  });
});
