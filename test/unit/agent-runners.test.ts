import assert from 'node:assert/strict';
import { parseClaudeLine, parsePlainLine } from '../../activities/agent/parsers';
import { agentEnvironment, runners, type RunnerArgs } from '../../activities/agent/runners';

const WORKER_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/bot',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TERM: 'xterm',
  TMPDIR: '/tmp',
  USER: 'bot',
  SHELL: '/bin/bash',
  TZ: 'UTC',
  ANTHROPIC_API_KEY: 'sk-ant-test',
  CLAUDE_CONFIG_DIR: '/home/bot/.claude',
  GITHUB_TOKEN: 'ghp_secret',
  GITHUB_WEBHOOK_SECRET: 'hook-secret',
  TEMPORAL_ADDRESS: 'localhost:7233',
  RANDOM_VAR: 'random',
  NPM_TOKEN: 'npm-secret',
};

describe('agentEnvironment', () => {
  it('copies the base variables and the claude runner variables, nothing else, plus its headless default', () => {
    const env = agentEnvironment(WORKER_ENV, runners.claude, [], {});
    assert.deepEqual(env, {
      PATH: WORKER_ENV['PATH'],
      HOME: WORKER_ENV['HOME'],
      LANG: WORKER_ENV['LANG'],
      LC_ALL: WORKER_ENV['LC_ALL'],
      TERM: WORKER_ENV['TERM'],
      TMPDIR: WORKER_ENV['TMPDIR'],
      USER: WORKER_ENV['USER'],
      SHELL: WORKER_ENV['SHELL'],
      TZ: WORKER_ENV['TZ'],
      ANTHROPIC_API_KEY: WORKER_ENV['ANTHROPIC_API_KEY'],
      CLAUDE_CONFIG_DIR: WORKER_ENV['CLAUDE_CONFIG_DIR'],
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
  });

  it('lets the worker environment override a runner default', () => {
    const env = agentEnvironment({ ...WORKER_ENV, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '0' }, runners.claude, [], {});
    assert.equal(env['CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC'], '0');
  });

  it('never gives the command runner the Anthropic key or GitHub secrets', () => {
    const env = agentEnvironment(WORKER_ENV, runners.command, [], {});
    for (const name of ['ANTHROPIC_API_KEY', 'GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'RANDOM_VAR', 'NPM_TOKEN', 'TEMPORAL_ADDRESS']) {
      assert.equal(name in env, false, `${name} leaked`);
    }
    assert.equal(env['PATH'], WORKER_ENV['PATH']);
  });

  it('copies GITHUB_TOKEN only when the passthrough list names it', () => {
    const without = agentEnvironment(WORKER_ENV, runners.claude, ['RANDOM_VAR'], {});
    const withToken = agentEnvironment(WORKER_ENV, runners.claude, ['GITHUB_TOKEN'], {});
    assert.equal('GITHUB_TOKEN' in without, false);
    assert.equal(without['RANDOM_VAR'], 'random');
    assert.equal(withToken['GITHUB_TOKEN'], 'ghp_secret');
    assert.equal('GITHUB_WEBHOOK_SECRET' in withToken, false);
  });

  it('skips passthrough names that the worker does not have', () => {
    const env = agentEnvironment(WORKER_ENV, runners.command, ['NOT_SET_ANYWHERE'], {});
    assert.equal('NOT_SET_ANYWHERE' in env, false);
  });

  it('adds the extra variables, which win over copied ones', () => {
    const env = agentEnvironment(WORKER_ENV, runners.command, [], { AGENT_BOT_TASK_ID: 'gh-1', HOME: '/tmp/task-home' });
    assert.equal(env['AGENT_BOT_TASK_ID'], 'gh-1');
    assert.equal(env['HOME'], '/tmp/task-home');
  });

  it('does not change the source environment', () => {
    const source = { ...WORKER_ENV };
    agentEnvironment(source, runners.claude, ['GITHUB_TOKEN'], { EXTRA: '1' });
    assert.deepEqual(source, WORKER_ENV);
  });
});

function opts(prompt: string, extraArgs: string[], more: Partial<RunnerArgs> = {}): RunnerArgs {
  return { prompt, extraArgs, sessionId: undefined, maxTurns: undefined, maxBudgetUsd: undefined, promptOnStdin: false, mode: 'execute', ...more };
}

describe('runners', () => {
  describe('claude', () => {
    it('prints a stream-json transcript: -p <prompt> --output-format stream-json --verbose', () => {
      const args = runners.claude.args(opts('do the thing', []));
      assert.equal(args[args.indexOf('-p') + 1], 'do the thing');
      assert.equal(args[args.indexOf('--output-format') + 1], 'stream-json');
      assert.ok(args.includes('--verbose'));
    });

    it('adds --resume <id> only when a session id is given', () => {
      assert.equal(runners.claude.args(opts('p', [])).includes('--resume'), false);
      const args = runners.claude.args(opts('p', [], { sessionId: 'session-123' }));
      assert.equal(args[args.indexOf('--resume') + 1], 'session-123');
    });

    it('appends the configured extra arguments', () => {
      const args = runners.claude.args(opts('p', ['--model', 'opus']));
      assert.deepEqual(args.slice(-2), ['--model', 'opus']);
    });

    it('reads lines with the Claude stream-json parser', () => {
      assert.equal(runners.claude.parseLine, parseClaudeLine);
    });
  });

  describe('command', () => {
    it('passes the extra arguments first and the prompt last, without Claude flags', () => {
      assert.deepEqual(runners.command.args(opts('the prompt', ['--flag', 'v'], { sessionId: 'session-123' })), ['--flag', 'v', 'the prompt']);
      assert.equal(runners.command.parseLine, parsePlainLine);
    });
  });
});

describe('runners: limits and prompt delivery', () => {
  it('claude gets --max-turns and --max-budget-usd only when they are set', () => {
    assert.equal(runners.claude.args(opts('p', [])).includes('--max-turns'), false);
    const args = runners.claude.args(opts('p', [], { maxTurns: 3, maxBudgetUsd: 0.5 }));
    assert.equal(args[args.indexOf('--max-turns') + 1], '3');
    assert.equal(args[args.indexOf('--max-budget-usd') + 1], '0.5');
  });

  it('command leaves the prompt out of the arguments when it goes on stdin', () => {
    assert.deepEqual(runners.command.args(opts('the prompt', ['--x'], { promptOnStdin: true })), ['--x']);
  });

  it('claude given its prompt on stdin keeps -p without a prompt argument, and still resumes', () => {
    const args = runners.claude.args(opts('the prompt', ['--model', 'opus'], { promptOnStdin: true, sessionId: 'session-123' }));
    assert.equal(args.includes('the prompt'), false);
    assert.equal(args[0], '-p');
    assert.equal(args[1], '--output-format', 'nothing stands where the prompt was');
    assert.equal(args[args.indexOf('--resume') + 1], 'session-123');
    assert.deepEqual(args.slice(-2), ['--model', 'opus']);
  });

  it('codex given its prompt on stdin ends with `-`, for exec and for exec resume', () => {
    assert.equal(runners.codex.args(opts('the prompt', [])).at(-1), 'the prompt');
    assert.equal(runners.codex.args(opts('the prompt', [], { promptOnStdin: true })).at(-1), '-');
    const resumed = runners.codex.args(opts('the prompt', ['-m', 'o3'], { promptOnStdin: true, sessionId: 't1' }));
    assert.deepEqual(resumed.slice(0, 3), ['exec', 'resume', 't1']);
    assert.deepEqual(resumed.slice(-3), ['-m', 'o3', '-']);
    assert.equal(resumed.includes('the prompt'), false);
  });

  it('cursor resumes with --resume and prints stream-json', () => {
    const args = runners.cursor.args(opts('p', [], { sessionId: 'chat-1' }));
    assert.equal(args[args.indexOf('--resume') + 1], 'chat-1');
    assert.equal(args[args.indexOf('--output-format') + 1], 'stream-json');
    assert.equal(args.at(-1), 'p');
  });
});

describe('runners: planning pass', () => {
  it('claude plans in --permission-mode plan, and only then', () => {
    const plan = runners.claude.args(opts('p', [], { mode: 'plan' }));
    assert.equal(plan[plan.indexOf('--permission-mode') + 1], 'plan');
    assert.equal(runners.claude.args(opts('p', [])).includes('--permission-mode'), false);
  });

  it('codex plans in a read-only sandbox, set by config override so exec resume accepts it', () => {
    const plan = runners.codex.args(opts('p', [], { mode: 'plan', sessionId: 't1' }));
    assert.equal(plan[plan.indexOf('-c') + 1], 'sandbox_mode="read-only"');
    assert.deepEqual(plan.slice(0, 3), ['exec', 'resume', 't1']);
  });
});
