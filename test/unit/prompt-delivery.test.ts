import assert from 'node:assert/strict';
import { agentPrompt, MAX_PROMPT_ARGUMENT_BYTES, promptDelivery } from '../../activities/agent/prompt-delivery';
import { runners, type AgentKind } from '../../activities/agent/runners';
import { cjkText } from '../support/long-request';

const KINDS: AgentKind[] = ['claude', 'codex', 'cursor', 'command'];

function delivery(kind: AgentKind, prompt: string, promptViaStdin = false) {
  return promptDelivery(kind, runners[kind].stdinPrompt, prompt, promptViaStdin);
}

describe('promptDelivery', () => {
  it('passes a prompt of up to MAX_PROMPT_ARGUMENT_BYTES as an argument, whatever the agent', () => {
    for (const kind of KINDS) {
      assert.deepEqual(delivery(kind, 'fix the bug'), { via: 'argument' }, kind);
      assert.deepEqual(delivery(kind, 'x'.repeat(MAX_PROMPT_ARGUMENT_BYTES)), { via: 'argument' }, kind);
    }
  });

  it('gives claude and codex a longer prompt on stdin, counting UTF-8 bytes, not characters', () => {
    // 34,134 characters, 102,402 bytes: under the limit in characters, over it in bytes.
    const cjk = cjkText(Math.ceil((MAX_PROMPT_ARGUMENT_BYTES + 1) / 3));
    assert.ok(cjk.length < MAX_PROMPT_ARGUMENT_BYTES && Buffer.byteLength(cjk) > MAX_PROMPT_ARGUMENT_BYTES);
    for (const kind of ['claude', 'codex'] as const) {
      assert.deepEqual(delivery(kind, 'x'.repeat(MAX_PROMPT_ARGUMENT_BYTES + 1)), { via: 'stdin' }, kind);
      assert.deepEqual(delivery(kind, cjk), { via: 'stdin' }, kind);
    }
  });

  it('gives a command agent its prompt on stdin, whatever its size, when AGENT_PROMPT_VIA=stdin', () => {
    assert.deepEqual(delivery('command', 'short', true), { via: 'stdin' });
    assert.deepEqual(delivery('command', cjkText(64_000), true), { via: 'stdin' });
  });

  it('refuses a long prompt for a command agent that takes it as an argument, naming the sizes and AGENT_PROMPT_VIA=stdin', () => {
    const prompt = cjkText(64_000);
    const result = delivery('command', prompt);
    assert.equal(result.via, 'refused');
    assert.equal(
      result.via === 'refused' ? result.reason : '',
      'this request is too long for the command agent: its prompt is 192,000 bytes (UTF-8), more than the 102,400 bytes agent-bot passes as a command-line argument (Linux refuses one over 131,072). Set AGENT_PROMPT_VIA=stdin if AGENT_COMMAND can read its prompt on standard input, or shorten the request.',
    );
  });

  it('refuses a long prompt for cursor, which takes it only as an argument', () => {
    const result = delivery('cursor', cjkText(64_000), true);
    assert.equal(result.via, 'refused');
    assert.match(result.via === 'refused' ? result.reason : '', /^this request is too long for the cursor agent: its prompt is 192,000 bytes .*The cursor agent takes its prompt only as an argument: shorten the request/);
  });
});

describe('agentPrompt', () => {
  it('strips NUL characters and keeps everything else', () => {
    assert.equal(agentPrompt('be\u0000fore\u0000\u0000 after 漢字\n'), 'before after 漢字\n');
    assert.equal(agentPrompt('no change'), 'no change');
  });
});
