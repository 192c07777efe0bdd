import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer } from '../../temporal-config/dev-server';
import { prepareNamespace } from '../../temporal-config/namespace-setup';
import { findTemporalCli, TemporalCliNotFoundError } from '../../temporal-config/temporal-cli';
import { freePort, testTemporal } from '../support/temporal';

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

describe('Temporal set-up', function () {
  this.timeout(120_000);

  it('finds the CLI from TEMPORAL_CLI_PATH first, and refuses a script wrapper there', () => {
    const real = testTemporal().cliPath;
    assert.deepEqual(findTemporalCli({ TEMPORAL_CLI_PATH: real, PATH: '' }), { path: real, source: 'TEMPORAL_CLI_PATH' });
    const wrapper = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'temporal');
    fs.writeFileSync(wrapper, '#!/bin/sh\nexec true\n', { mode: 0o755 });
    assert.throws(() => findTemporalCli({ TEMPORAL_CLI_PATH: wrapper }), TemporalCliNotFoundError);
    // On PATH, a wrapper is skipped and the search goes on.
    const found = findTemporalCli({ PATH: path.dirname(wrapper) });
    assert.notEqual(found?.path, wrapper);
  });

  it('finds `temporal` on PATH before the project-local install', () => {
    const dir = path.dirname(testTemporal().cliPath);
    assert.deepEqual(findTemporalCli({ PATH: dir }), { path: path.join(dir, 'temporal'), source: 'PATH' });
  });

  it('registers the search attributes and raises retention idempotently', async () => {
    const { connection } = testTemporal();
    await prepareNamespace(connection, 'default', SEVEN_DAYS_MS);
    await prepareNamespace(connection, 'default', SEVEN_DAYS_MS);
    const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const name of ['AgentProvider', 'AgentTarget', 'AgentStatus', 'AgentRequester']) {
      assert.ok(name in (attributes.customAttributes ?? {}), `${name} is registered`);
    }
    const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
    assert.ok(Number(namespace.config?.workflowExecutionRetentionTtl?.seconds) * 1000 >= SEVEN_DAYS_MS);
  });

  it('refuses to start on a port where another Temporal server already answers, naming the port and the setting', async () => {
    // The shared test server: it would answer the readiness probe, and be taken for ours.
    const [ip, port] = testTemporal().address.split(':') as [string, string];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-taken-'));
    await assert.rejects(
      startDevServer({ cliPath: testTemporal().cliPath, headless: true, ip, port: Number(port), uiPort: await freePort(), dbFile: path.join(dir, 'dev.sqlite'), logFile: path.join(dir, 'server.log') }),
      new RegExp(`^Error: port ${port} on ${ip.replaceAll('.', '\\.')} is already in use .*TEMPORAL_DEV_PORT`),
    );
  });

  it('keeps earlier runs across a restart of the dev server on the same database file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-restart-'));
    const options = { cliPath: testTemporal().cliPath, headless: true, dbFile: path.join(dir, 'dev.sqlite'), logFile: path.join(dir, 'server.log') };
    const port = await freePort();
    const first = await startDevServer({ ...options, port, uiPort: await freePort() });
    let connection = await Connection.connect({ address: first.address });
    await prepareNamespace(connection, 'default', SEVEN_DAYS_MS);
    await new Client({ connection }).workflow.start('someWorkflow', { taskQueue: 'nobody-polls', workflowId: 'survives-restart' });
    await connection.close();
    await first.stop();

    const second = await startDevServer({ ...options, port, uiPort: await freePort() });
    connection = await Connection.connect({ address: second.address });
    try {
      await prepareNamespace(connection, 'default', SEVEN_DAYS_MS);
      const description = await new Client({ connection }).workflow.getHandle('survives-restart').describe();
      assert.equal(description.status.name, 'RUNNING');
    } finally {
      await connection.close();
      await second.stop();
    }
  });
});
