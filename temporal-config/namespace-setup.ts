import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { searchAttributeKeys } from '../contracts/search-attributes';

const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/**
 * Makes a namespace ready for agent-bot, at every start and idempotently: the dev server's
 * `--search-attribute` flag only applies to a brand-new database, and its retention is 24 h.
 */
export async function prepareNamespace(connection: Connection, namespace: string, minRetentionMs: number): Promise<void> {
  await registerSearchAttributes(connection, namespace);
  await raiseRetention(connection, namespace, minRetentionMs);
}

async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = searchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, KEYWORD])),
    });
  } catch (error) {
    // Another process registered them between our look and our add.
    if (!String((error as Error).message).toLowerCase().includes('already exists')) throw error;
  }
}

async function raiseRetention(connection: Connection, namespace: string, minRetentionMs: number): Promise<void> {
  const described = await connection.workflowService.describeNamespace({ namespace });
  const ttl = described.config?.workflowExecutionRetentionTtl;
  const currentMs = Number(ttl?.seconds ?? 0) * 1000;
  if (currentMs >= minRetentionMs) return;
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(minRetentionMs) },
  });
}
