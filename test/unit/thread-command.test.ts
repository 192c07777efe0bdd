import assert from 'node:assert/strict';
import { DEFAULT_COMMANDS } from '../../config/schema';
import { parseThreadCommand, type CommandPolicy } from '../../integrations/thread-command';

const NOW = new Date('2026-11-21T09:00:00.000Z');
const STRICT: CommandPolicy = { mention: '@agent', commands: DEFAULT_COMMANDS, defaultCommand: undefined };
const parse = (text: string, policy: Partial<CommandPolicy> = {}) => parseThreadCommand(text, { ...STRICT, ...policy }, NOW);

describe('parseThreadCommand', () => {
  it('reads the built-in commands, whatever their case and trailing punctuation', () => {
    assert.equal(parse('status').action, 'status');
    assert.equal(parse('Status?').action, 'status');
    assert.equal(parse('cancel').action, 'cancel');
    assert.equal(parse('cancel all').action, 'cancel_all');
    assert.equal(parse('retry').action, 'retry');
    assert.equal(parse('approve').action, 'approve');
    assert.deepEqual(parse('reject not now, sorry'), { action: 'reject', request: 'reject not now, sorry', reason: 'not now, sorry' });
    assert.equal(parse('reject').reason, undefined);
  });

  it('runs a configured command with its approval mode and keeps the whole text as the request', () => {
    assert.deepEqual(parse('review this please'), { action: 'run', request: 'review this please', commandName: 'review', needsApproval: false });
    assert.deepEqual(parse('fix the flaky test'), { action: 'run', request: 'fix the flaky test', commandName: 'fix', needsApproval: true });
  });

  it('answers an unknown first word with help that lists the commands, unless a default command is set', () => {
    const unknown = parse('frobnicate it');
    assert.equal(unknown.action, 'unknown');
    assert.match(unknown.helpText ?? '', /`frobnicate`/);
    assert.match(unknown.helpText ?? '', /`fix` \(plan first, runs after approval\)/);
    const withDefault = parse('why is it slow?', { defaultCommand: 'ask' });
    assert.deepEqual(withDefault, { action: 'run', request: 'why is it slow?', commandName: 'ask', needsApproval: false });
  });

  it('defers "in <duration> <request>" to the right time, keeping the inner command', () => {
    const deferred = parse('in 2h review again');
    assert.equal(deferred.action, 'defer');
    assert.equal(deferred.runAt, '2026-11-21T11:00:00.000Z');
    assert.equal(deferred.request, 'review again');
    assert.equal(deferred.commandName, 'review');
    assert.equal(parse('in 1h30m fix it').runAt, '2026-11-21T10:30:00.000Z');
    assert.equal(parse('in 1h30m fix it').needsApproval, true);
  });

  it('refuses a bad or missing duration, an empty request, or more than 90 days, with a usage hint', () => {
    for (const text of ['in 2h', 'in 100d review', 'in 0s review', 'in 5 review', 'in 2 hours review']) {
      const parsed = parse(text);
      assert.equal(parsed.action, 'unknown', text);
      assert.match(parsed.helpText ?? '', /in <duration> <request>/, text);
    }
  });

  it('reads "in <words>" that are no duration as an ordinary request', () => {
    assert.deepEqual(parse('in the cache code, why the misses?', { defaultCommand: 'ask' }), { action: 'run', request: 'in the cache code, why the misses?', commandName: 'ask', needsApproval: false });
  });

  it('takes the repository from "in owner/repo <request>" or a repo: word, keeping the rest of the request', () => {
    assert.deepEqual(parse('in acme/widgets review the cache'), { action: 'run', request: 'review the cache', commandName: 'review', needsApproval: false, repo: 'acme/widgets' });
    assert.deepEqual(parse('fix the cache repo:acme/widgets please'), { action: 'run', request: 'fix the cache please', commandName: 'fix', needsApproval: true, repo: 'acme/widgets' });
    const deferred = parse('in acme/widgets in 2h review again');
    assert.equal(deferred.action, 'defer');
    assert.equal(deferred.repo, 'acme/widgets');
    assert.equal(deferred.request, 'review again');
    assert.equal(parse('in acme/widgets').action, 'help');
  });

  it('runs any request whose first word is no command with the default command, by default', () => {
    for (const text of ['please analyze the caching code', 'look at the cache']) {
      assert.deepEqual(parse(text, { defaultCommand: 'ask' }), { action: 'run', request: text, commandName: 'ask', needsApproval: false });
    }
    assert.deepEqual(parse('look at it', { defaultCommand: 'triage' }), { action: 'run', request: 'look at it', commandName: 'triage', needsApproval: false });
  });

  it('keeps the control words whatever the default command', () => {
    for (const [text, action] of [['status', 'status'], ['cancel', 'cancel'], ['retry', 'retry'], ['approve', 'approve'], ['reject no', 'reject'], ['help', 'help']] as const) {
      assert.equal(parse(text, { defaultCommand: 'ask' }).action, action, text);
    }
  });

  it('answers an empty request (the mention alone) with help', () => {
    const parsed = parse('', { defaultCommand: 'ask' });
    assert.equal(parsed.action, 'help');
    assert.match(parsed.helpText ?? '', /\*\*Commands:\*\*/);
  });

  it('lists every built-in in help', () => {
    const help = parse('help').helpText ?? '';
    for (const name of ['status', 'cancel all', 'retry', 'in <duration> <request>', 'approve', 'reject <reason>']) assert.ok(help.includes(name), name);
  });
});
