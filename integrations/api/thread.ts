import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ThreadRef } from '../../contracts/thread';

/**
 * What the API transport needs to reach an API thread: its id, and where the thread's final results
 * are POSTed, when the request that started the thread gave a `callback_url`.
 */
export interface ApiAddress {
  threadId: string;
  callbackUrl?: string;
}

/** A thread id a client may choose or continue: a UUID, or any short word of letters, digits and dashes. */
export const API_THREAD_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

const addressSchema = z.object({
  threadId: z.string().regex(API_THREAD_ID),
  callbackUrl: z.url({ protocol: /^https?$/ }).optional(),
});

/** The thread `api:<threadId>` working on `repo`. */
export function apiThread(threadId: string, repo: string, callbackUrl?: string): ThreadRef {
  return {
    provider: 'api',
    key: threadId,
    label: `API thread ${threadId}`,
    kind: 'API thread',
    repo,
    address: { threadId, ...(callbackUrl === undefined ? {} : { callbackUrl }) },
  };
}

/**
 * The address of an API thread, validated: the thread comes back from workflow history, so it is read
 * like any input from outside.
 * @throws Error when the thread is not an API thread or its address is malformed.
 */
export function apiAddress(thread: ThreadRef): ApiAddress {
  if (thread.provider !== 'api') throw new Error(`not an API thread: ${thread.provider}:${thread.key}`);
  const parsed = addressSchema.safeParse(thread.address);
  if (!parsed.success) throw new Error(`API thread ${thread.key} has an invalid address: ${parsed.error.message}`);
  return { threadId: parsed.data.threadId, ...(parsed.data.callbackUrl === undefined ? {} : { callbackUrl: parsed.data.callbackUrl }) };
}

/**
 * The id of a new thread: random, unless the request carries an idempotency key, in which case it is
 * derived from the key, so a retried POST lands on the same thread (and so the same task) as the first.
 */
export function newApiThreadId(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  return uuidShaped(createHash('sha256').update(`thread\n${idempotencyKey}`).digest('hex'));
}

/**
 * The part of a task id that identifies the request (`taskIdFor('api', …)` adds the prefix): derived
 * from the thread and the idempotency key when there is one, so every retry of one request is the same
 * task; random otherwise.
 */
export function apiRequestIdentity(threadId: string, idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined) return randomUUID();
  return createHash('sha256').update(`task\n${threadId}\n${idempotencyKey}`).digest('hex').slice(0, 32);
}

/** `8-4-4-4-12` from 32 hex digits: reads like the random thread ids. */
function uuidShaped(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
