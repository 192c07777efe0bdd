import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseClaudeLine } from '../../activities/agent/parsers';
import { TaskLog } from '../../activities/agent/task-log';
import { loadConfig } from '../../config/load';
import { ErrorType } from '../../contracts/errors';
import { extractMentionRequest } from '../../integrations/mention';
import { classifyGithubError } from '../../integrations/github/errors';
import { signGithubPayload, verifyGithubSignature } from '../../integrations/github/webhook-signature';

// Each case here was a bug found by review; the test keeps it fixed.
describe('regressions', () => {
  it('a trailing comma in GITHUB_WEBHOOK_SECRET does not enable an empty secret', () => {
    const config = loadConfig({ GITHUB_WEBHOOK_SECRET: 'a, b,' }, os.tmpdir());
    assert.deepEqual(config.GITHUB_WEBHOOK_SECRET, ['a', 'b']);
    const body = Buffer.from('{"forged":true}');
    assert.equal(verifyGithubSignature(config.GITHUB_WEBHOOK_SECRET, body, signGithubPayload('', body)), false);
  });

  it('a signature with extra characters after the 64 hex digits is refused', () => {
    const body = Buffer.from('Hello, World!');
    const good = signGithubPayload('s', body);
    assert.equal(verifyGithubSignature(['s'], body, good), true);
    assert.equal(verifyGithubSignature(['s'], body, `${good}zz`), false);
    assert.equal(verifyGithubSignature(['s'], body, `${good}0`), false);
  });

  it('a 403 secondary rate limit with Retry-After is retried after that wait', () => {
    const failure = classifyGithubError({ status: 403, message: 'secondary rate limit', response: { headers: { 'retry-after': '60', 'x-ratelimit-remaining': '4999' } } }, 'post');
    assert.equal(failure.type, ErrorType.GithubRateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.nextRetryDelay, 60_000);
  });

  it('a "<!--" inside code does not hide the command after it', () => {
    assert.equal(extractMentionRequest('use `<!--` to comment\n@agent fix it', '@agent'), 'fix it');
    assert.equal(extractMentionRequest('```\n<!--\n```\n@agent fix it', '@agent'), 'fix it');
  });

  it('punctuation after the mention is not part of the request, and "@agent.com" is no mention', () => {
    assert.equal(extractMentionRequest('Hi @agent, please fix', '@agent'), 'please fix');
    assert.equal(extractMentionRequest('thanks @agent.', '@agent'), undefined);
    assert.equal(extractMentionRequest('@agent.com is my site', '@agent'), undefined);
    assert.equal(extractMentionRequest('@agent: explain this', '@agent'), 'explain this');
  });

  it('numbers and booleans in agent-bot.yaml are read like the environment writes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-yaml-'));
    fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'GITHUB_WEBHOOK_SECRET: 123456\nGITHUB_BOT_LOGIN: 42\n');
    const config = loadConfig({}, dir);
    assert.deepEqual(config.GITHUB_WEBHOOK_SECRET, ['123456']);
    assert.equal(config.GITHUB_BOT_LOGIN, '42');
  });

  it('an empty GATEWAY_PORT= falls back to the default', () => {
    assert.equal(loadConfig({ GATEWAY_PORT: '' }, os.tmpdir()).GATEWAY_PORT, 8080);
  });

  it('a JSON line that is not an object is kept as plain output', () => {
    for (const line of ['42', 'null', '"text"', '[1,2]']) {
      assert.deepEqual(parseClaudeLine(line), [{ kind: 'output', line, stream: 'stdout' }]);
    }
  });
});

describe('regressions: task log', () => {
  it('caps a log of multi-byte output near AGENT_MAX_LOG_BYTES, not at three times it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-log-')), 'stream.jsonl');
    const log = new TaskLog(file, 't1', 10_000);
    for (let i = 0; i < 500; i++) log.event({ kind: 'output', line: '漢'.repeat(100), stream: 'stdout' });
    await log.close();
    const size = fs.statSync(file).size;
    assert.ok(size < 10_000 + 1_000, `log is ${size} bytes`);
  });
});
