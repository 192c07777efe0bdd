import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Harness } from '../support/harness';
import { waitFor } from '../support/wait';

const TOKEN = 'agent-cli-test-token';
const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'scripts', 'agent-cli.ts');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run agent -- <args>` as its own process (what a person or a script runs), to its exit. */
function agentCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run agent: the CLI on the HTTP API', function () {
  this.timeout(120_000);

  describe('with an agent that answers', () => {
    let h: Harness;
    let env: Record<string, string>;

    before(async () => {
      h = await Harness.start({ agent: 'answer.js', env: { AGENT_BOT_API_TOKEN: TOKEN } });
      env = { AGENT_BOT_URL: h.gateway.url, AGENT_BOT_API_TOKEN: TOKEN };
    });
    after(() => h.stop());

    it('ask follows the task to its end: the answer alone on stdout, progress on stderr, exit code 0', async () => {
      const run = await agentCli(['ask', '--repo', 'acme/widgets', 'explain', 'the', 'cache'], env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /The answer is 42\./);
      assert.doesNotMatch(run.stdout, /task api-/, 'stdout carries the answer only');
      const taskId = /task (api-[A-Za-z0-9-]+) on thread/.exec(run.stderr)?.[1];
      assert.ok(taskId, run.stderr);
      assert.doesNotMatch(run.stderr, /\r/, 'plain lines when stderr is not a terminal');

      const status = await agentCli(['status', taskId], env);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /outcome +succeeded/);
      assert.match(status.stdout, /The answer is 42\./);

      const logs = await agentCli(['logs', taskId], env);
      assert.equal(logs.code, 0, logs.stderr);
      assert.match(logs.stdout, /The answer is 42\./);
      assert.match(logs.stdout, /\[done\]/);
    });

    it('ask --no-follow prints the task id for scripts; usage errors exit 2, a wrong token 3, an unknown task 1', async () => {
      const started = await agentCli(['ask', '--no-follow', '--repo', 'acme/widgets', 'summarize the README'], env);
      assert.equal(started.code, 0, started.stderr);
      assert.match(started.stdout, /^api-[A-Za-z0-9-]+\n$/);

      assert.equal((await agentCli(['ask', 'no repo given'], env)).code, 2);
      assert.equal((await agentCli(['ask', '--repo', 'not-a-repo', 'x'], env)).code, 2);
      assert.equal((await agentCli(['ask', '--repo', 'acme/widgets', 'status'], env)).code, 2, 'the API refused the request (400)');
      assert.equal((await agentCli(['frobnicate'], env)).code, 2);
      assert.equal((await agentCli(['ask', '--repo', 'acme/widgets', 'x'], { AGENT_BOT_URL: h.gateway.url })).code, 2, 'no token');

      const refused = await agentCli(['status', 'api-x'], { ...env, AGENT_BOT_API_TOKEN: 'wrong' });
      assert.equal(refused.code, 3);
      assert.match(refused.stderr, /refused the token \(401\)/);
      const missing = await agentCli(['status', 'api-no-such-task'], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no task api-no-such-task/);
    });
  });

  describe('with an agent that plans first', () => {
    let h: Harness;
    let env: Record<string, string>;

    before(async () => {
      h = await Harness.start({ agent: 'planner.js', env: { AGENT_BOT_API_TOKEN: TOKEN } });
      env = { AGENT_BOT_URL: h.gateway.url, AGENT_BOT_API_TOKEN: TOKEN };
    });
    after(() => h.stop());

    it('ask shows the plan and how to approve it, waits, and prints the answer once `agent approve` decided', async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'ask', '--repo', 'acme/widgets', 'fix the login'], { cwd: ROOT, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
      try {
        await waitFor('the plan on stderr', () => /Approve: npm run agent -- approve api-/.test(stderr), 60_000);
        assert.match(stderr, /The plan waits for approval until .*:\n\nPLAN: 1\. read the code 2\. fix the bug/);
        const taskId = /approve (api-[A-Za-z0-9-]+)/.exec(stderr)![1]!;
        assert.equal(stdout, '', 'nothing on stdout before the answer');

        const approved = await agentCli(['approve', taskId, '--by', 'ops'], env);
        assert.equal(approved.code, 0, approved.stderr);
        assert.match(approved.stderr, new RegExp(`approved task ${taskId} as ops`));
        const again = await agentCli(['approve', taskId], env);
        assert.equal(again.code, 1, 'nothing waits any more (409)');

        assert.equal(await exited, 0, stderr);
        assert.equal(stdout, 'DONE: fixed it (plan approved)\n');
      } finally {
        child.kill();
      }
    });
  });

  describe('with an agent that fails', () => {
    let h: Harness;

    before(async () => {
      h = await Harness.start({ agent: 'fail.js', env: { AGENT_BOT_API_TOKEN: TOKEN } });
    });
    after(() => h.stop());

    it('ask exits 1 and says why on stderr', async () => {
      const run = await agentCli(['ask', '--repo', 'acme/widgets', 'explain the cache'], { AGENT_BOT_URL: h.gateway.url, AGENT_BOT_API_TOKEN: TOKEN });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /task api-[A-Za-z0-9-]+ failed: The agent could not complete this request/);
    });
  });

  it('exits 3 when the API cannot be reached', async () => {
    const run = await agentCli(['status', 'api-x'], { AGENT_BOT_URL: 'http://127.0.0.1:9', AGENT_BOT_API_TOKEN: TOKEN });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /cannot reach agent-bot at http:\/\/127\.0\.0\.1:9/);
  });
});
