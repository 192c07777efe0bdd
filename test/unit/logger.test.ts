import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pretty from 'pino-pretty';
import { addLogSecrets, buildLogger, createLogger, idsFromWorkflowId, redactPaths, temporalLogger } from '../../workers/logger';

/** Every line a logger writes, parsed. */
function capture(): { lines: string[]; records: () => Record<string, unknown>[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), write: (line) => lines.push(line) };
}

/** Secrets as a deployment has them; each must never reach a log line. */
const SECRETS = {
  GITHUB_TOKEN: 'ghs_configuredGithubToken0001',
  SLACK_BOT_TOKEN: 'slack-bot-token-value-0002',
  GITHUB_WEBHOOK_SECRET: ['webhook-secret-current-0003', 'webhook-secret-previous-0004'],
  AGENT_BOT_API_TOKEN: 'agent-bot-api-token-0005',
  DISCORD_BOT_TOKEN: 'discord-bot-token-0006',
};

describe('logger: pino with redaction', () => {
  it('redacts secret fields by name, at the top and one object down, and keeps everything else', () => {
    const out = capture();
    const log = createLogger('test', out.write);
    log('a request', {
      token: 'top-level-token-value',
      authorization: 'Bearer top-level-bearer',
      headers: { authorization: 'Bearer header-bearer-value', 'x-hub-signature-256': 'sha256=signature-value', 'content-type': 'application/json' },
      req: { headers: { authorization: 'Bearer nested-bearer-value', cookie: 'session=cookie-value' } },
      config: { GITHUB_TOKEN: 'config-github-token', SLACK_BOT_TOKEN: 'config-slack-token', AGENT_BOT_API_TOKEN: 'config-api-token', GITHUB_WEBHOOK_SECRET: ['config-webhook-secret'], GATEWAY_PORT: 8080 },
      env: { ANTHROPIC_API_KEY: 'anthropic-key-value', PATH: '/usr/bin' },
      client: { secret: 'client-secret-value', password: 'client-password-value', name: 'kept' },
      taskId: 'gh-42',
    });
    const [line] = out.lines;
    assert.ok(line !== undefined);
    for (const value of ['top-level-token-value', 'top-level-bearer', 'header-bearer-value', 'signature-value', 'nested-bearer-value', 'cookie-value', 'config-github-token', 'config-slack-token', 'config-api-token', 'config-webhook-secret', 'anthropic-key-value', 'client-secret-value', 'client-password-value']) {
      assert.ok(!line.includes(value), `${value} is not in ${line}`);
    }
    const record = out.records()[0]!;
    assert.equal(record['msg'], 'a request');
    assert.equal(record['level'], 'info');
    assert.equal(record['component'], 'test');
    assert.equal(record['taskId'], 'gh-42');
    assert.deepEqual(record['headers'], { authorization: '[redacted]', 'x-hub-signature-256': '[redacted]', 'content-type': 'application/json' });
    assert.equal((record['config'] as Record<string, unknown>)['GATEWAY_PORT'], 8080);
    assert.equal((record['client'] as Record<string, unknown>)['name'], 'kept');
    assert.equal((record['env'] as Record<string, unknown>)['PATH'], '/usr/bin');
  });

  it('names every config key that holds a secret, so a provider\'s new *_TOKEN or *_SECRET key is covered', () => {
    const paths = redactPaths();
    for (const key of ['GITHUB_TOKEN', 'GITHUB_WEBHOOK_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_BOT_TOKEN', 'AGENT_BOT_API_TOKEN', 'JIRA_API_TOKEN', 'JIRA_WEBHOOK_SECRET', 'SENTRY_AUTH_TOKEN', 'SENTRY_CLIENT_SECRET']) {
      assert.ok(paths.includes(key) && paths.includes(`*.${key}`), key);
    }
    assert.ok(!paths.includes('GITHUB_API_URL'));
  });

  it('replaces configured secret values wherever they appear: messages, error strings, deep fields', () => {
    addLogSecrets(SECRETS, {});
    const out = capture();
    const log = createLogger('test', out.write);
    log(`posting with ${SECRETS.GITHUB_TOKEN}`, {
      error: `401 from Slack for token ${SECRETS.SLACK_BOT_TOKEN}`,
      deep: { a: { b: { c: [SECRETS.AGENT_BOT_API_TOKEN, SECRETS.DISCORD_BOT_TOKEN] } } },
      signedWith: SECRETS.GITHUB_WEBHOOK_SECRET[1],
      url: 'https://user:url-password-0007@example.com/repo.git',
      pat: 'ghp_abcdefghijklmnopqrstuvwxyz0123',
    });
    const [line] = out.lines;
    assert.ok(line !== undefined);
    for (const value of [SECRETS.GITHUB_TOKEN, SECRETS.SLACK_BOT_TOKEN, SECRETS.AGENT_BOT_API_TOKEN, SECRETS.DISCORD_BOT_TOKEN, ...SECRETS.GITHUB_WEBHOOK_SECRET, 'url-password-0007', 'ghp_abcdefghijklmnopqrstuvwxyz0123']) {
      assert.ok(!line.includes(value), `${value} is not in ${line}`);
    }
    const record = out.records()[0]!;
    assert.equal(record['msg'], 'posting with [redacted]');
    assert.equal(record['error'], '401 from Slack for token [redacted]');
  });

  it('serializes errors with their message and stack, scrubbed too', () => {
    addLogSecrets(SECRETS, {});
    const out = capture();
    createLogger('test', out.write)('fatal', { error: new Error(`could not use ${SECRETS.GITHUB_TOKEN}`) }, 'fatal');
    const record = out.records()[0]!;
    assert.equal(record['level'], 'fatal');
    const error = record['error'] as { message: string; stack: string; type: string };
    assert.equal(error.message, 'could not use [redacted]');
    assert.equal(error.type, 'Error');
    assert.match(error.stack, /logger\.test\.ts/);
  });

  it('redacts pretty output the same way', () => {
    addLogSecrets(SECRETS, {});
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString('utf8');
        done();
      },
    });
    const logger = buildLogger('info', pretty({ destination: sink, sync: true, colorize: false }));
    logger.info({ token: 'pretty-token-value', config: { SLACK_BOT_TOKEN: 'pretty-slack-token' }, detail: SECRETS.GITHUB_TOKEN, kept: 'visible' }, 'pretty line');
    assert.match(text, /pretty line/);
    assert.match(text, /visible/);
    for (const value of ['pretty-token-value', 'pretty-slack-token', SECRETS.GITHUB_TOKEN]) assert.ok(!text.includes(value), `${value} is not in ${text}`);
  });
});

describe('logger: the Temporal SDK\'s lines', () => {
  it('go to pino at their level, tagged temporal, with the task id and provider read from the workflow id', () => {
    const out = capture();
    const base = buildLogger('debug', { write: (line: string) => out.write(line.trimEnd()) });
    const logger = temporalLogger(() => base);
    logger.info('Activity started', { workflowId: 'github:acme/widgets#42/task/gh-9001', activityType: 'runAgent', sdkComponent: 'activity' });
    logger.warn('task failed', { workflowId: 'slack:T1/C2/1700000000.000100', token: 'sdk-meta-token' });
    logger.trace('not shown at debug');
    logger.log('ERROR', 'from core', { sdkComponent: 'core' });
    const records = out.records();
    assert.deepEqual(
      records.map((record) => [record['level'], record['msg'], record['component'], record['taskId'], record['provider']]),
      [
        ['info', 'Activity started', 'temporal', 'gh-9001', 'github'],
        ['warn', 'task failed', 'temporal', undefined, 'slack'],
        ['error', 'from core', 'temporal', undefined, undefined],
      ],
    );
    assert.equal(records[0]!['workflowId'], 'github:acme/widgets#42/task/gh-9001');
    assert.equal(records[1]!['token'], '[redacted]');
  });

  it('keeps ids a line already carries over the ones read from the workflow id', () => {
    assert.deepEqual(idsFromWorkflowId({ workflowId: 'api:abc/task/api-1' }), { taskId: 'api-1', provider: 'api' });
    assert.deepEqual(idsFromWorkflowId({ workflowId: 42 }), {});
    const out = capture();
    const base = buildLogger('info', { write: (line: string) => out.write(line.trimEnd()) });
    temporalLogger(() => base).info('acknowledged', { workflowId: 'github:acme/widgets#42', taskId: 'gh-7' });
    assert.equal(out.records()[0]!['taskId'], 'gh-7');
  });
});
