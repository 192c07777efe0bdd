import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { AgentProvider, AgentRequester, AgentStatus, AgentTarget, AgentTaskId, searchAttributeKeys } from '../../contracts/search-attributes';
import { prepareNamespace } from '../../temporal-config/namespace-setup';
import { testCluster } from '../support/cluster';
import { testTemporal } from '../support/temporal';
import { waitFor } from '../support/wait';

const DAY_MS = 24 * 3600 * 1000;
const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** A namespace of its own, with Temporal's default one-day retention and none of our attributes. */
async function freshNamespace(): Promise<string> {
  const { connection } = testTemporal();
  const namespace = `agent-bot-sa-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(DAY_MS) });
  await waitFor(`namespace ${namespace}`, () => connection.workflowService.describeNamespace({ namespace }));
  return namespace;
}

/** Matches an error whose message, or its cause's (the SDK wraps the server's answer), matches `pattern`. */
function causedBy(pattern: RegExp) {
  return (error: unknown): boolean => {
    for (let current = error; current instanceof Error; current = current.cause) if (pattern.test(current.message)) return true;
    return false;
  };
}

describe('search attributes on SQL visibility (PostgreSQL)', function () {
  this.timeout(120_000);
  before(() => {
    testCluster();
  });

  it('registers the five Keyword attributes per namespace, idempotently, and raises the retention', async () => {
    const { connection } = testTemporal();
    const namespace = await freshNamespace();
    // SQL visibility keeps custom attributes per namespace: a new one starts with none of ours.
    const before = await connection.operatorService.listSearchAttributes({ namespace });
    assert.deepEqual(Object.keys(before.customAttributes ?? {}).filter((name) => name.startsWith('Agent')), []);

    // Two workers starting at once, then a restart.
    await Promise.all([prepareNamespace(connection, namespace, 7 * DAY_MS), prepareNamespace(connection, namespace, 7 * DAY_MS)]);
    await prepareNamespace(connection, namespace, 7 * DAY_MS);

    const after = await connection.operatorService.listSearchAttributes({ namespace });
    for (const key of searchAttributeKeys) assert.equal(after.customAttributes?.[key.name], KEYWORD, `${key.name} is a Keyword`);
    const described = await connection.workflowService.describeNamespace({ namespace });
    assert.equal(Number(described.config?.workflowExecutionRetentionTtl?.seconds) * 1000, 7 * DAY_MS);
    // A longer retention set by an operator is kept.
    await prepareNamespace(connection, namespace, DAY_MS);
    const kept = await connection.workflowService.describeNamespace({ namespace });
    assert.equal(Number(kept.config?.workflowExecutionRetentionTtl?.seconds) * 1000, 7 * DAY_MS);
  });

  it('has room for 10 Keyword attributes per namespace: ours take 5, an 11th is refused', async () => {
    const { connection } = testTemporal();
    const namespace = await freshNamespace();
    await prepareNamespace(connection, namespace, 7 * DAY_MS);
    const others = Array.from({ length: 5 }, (_, i) => `OperatorKeyword${i + 1}`);
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(others.map((name) => [name, KEYWORD])) });
    await assert.rejects(
      connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { OneTooMany: KEYWORD } }),
      /cannot have more than 10 search attribute of type Keyword/,
    );
  });

  it('answers =, IN, STARTS_WITH, !=, IS NULL, AND and OR on our attributes; refuses LIKE and ORDER BY', async () => {
    const { client } = testTemporal();
    const run = randomUUID().slice(0, 8);
    const taskQueue = `nobody-polls-${run}`;
    const start = (n: number, status: string, taskId?: string) =>
      client.workflow.start('targetWorkflow', {
        taskQueue,
        workflowId: `sa-query-${run}-${n}`,
        args: [],
        typedSearchAttributes: [
          { key: AgentProvider, value: 'github' },
          { key: AgentTarget, value: `${n === 3 ? 'other' : 'acme'}/q-${run}#${n}` },
          { key: AgentStatus, value: status },
          { key: AgentRequester, value: `req-${run}` },
          ...(taskId === undefined ? [] : [{ key: AgentTaskId, value: taskId }]),
        ],
      });
    const handles = [await start(1, 'running', `gh-${run}`), await start(2, 'queued'), await start(3, 'succeeded')];
    const ids = async (query: string) => {
      const found: string[] = [];
      for await (const execution of client.workflow.list({ query })) found.push(execution.workflowId);
      return found.sort();
    };
    try {
      const mine = `AgentRequester = "req-${run}"`;
      await waitFor('the three runs in visibility', async () => (await ids(mine)).length === 3);
      assert.deepEqual(await ids(`AgentTarget = "acme/q-${run}#1"`), [`sa-query-${run}-1`]);
      assert.deepEqual(await ids(`AgentTarget STARTS_WITH "acme/q-${run}#"`), [`sa-query-${run}-1`, `sa-query-${run}-2`]);
      assert.deepEqual(await ids(`${mine} AND AgentStatus IN ("running", "queued")`), [`sa-query-${run}-1`, `sa-query-${run}-2`]);
      assert.deepEqual(await ids(`${mine} AND AgentStatus != "succeeded"`), [`sa-query-${run}-1`, `sa-query-${run}-2`]);
      assert.deepEqual(await ids(`${mine} AND AgentTaskId IS NULL`), [`sa-query-${run}-2`, `sa-query-${run}-3`]);
      assert.deepEqual(await ids(`AgentTaskId = 'gh-${run}' AND AgentProvider = 'github'`), [`sa-query-${run}-1`]);
      assert.deepEqual(await ids(`${mine} AND (AgentTarget = "other/q-${run}#3" OR AgentTaskId = "gh-${run}")`), [`sa-query-${run}-1`, `sa-query-${run}-3`]);
      assert.equal((await client.workflow.count(`${mine} AND ExecutionStatus = "Running"`)).count, 3);
      await assert.rejects(ids(`AgentTarget LIKE "acme/q-${run}%"`), causedBy(/operator 'LIKE' not supported for Keyword/));
      await assert.rejects(ids(`${mine} ORDER BY StartTime DESC`), causedBy(/'ORDER BY' clause/));
    } finally {
      await Promise.all(handles.map((handle) => handle.terminate('search attribute test done')));
    }
  });
});
