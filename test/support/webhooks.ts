import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { signGithubPayload } from '../../integrations/github/webhook-signature';

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret';

/** A GitHub payload example from test/fixtures/github, parsed so a test can adjust it. */
export function githubFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'github', `${name}.json`), 'utf8')) as T;
}

export interface Delivery {
  event: string;
  payload: unknown;
  deliveryId?: string;
  secret?: string;
  headers?: Record<string, string | undefined>;
  rawBody?: string;
}

/** POSTs a delivery the way GitHub does: JSON body, signature over the raw bytes, event and delivery headers. */
export async function sendGithubDelivery(gatewayUrl: string, delivery: Delivery): Promise<{ status: number; body: Record<string, unknown>; deliveryId: string }> {
  const deliveryId = delivery.deliveryId ?? randomUUID();
  const rawBody = delivery.rawBody ?? JSON.stringify(delivery.payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'GitHub-Hookshot/test',
    'x-github-event': delivery.event,
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': signGithubPayload(delivery.secret ?? TEST_WEBHOOK_SECRET, rawBody),
  };
  for (const [name, value] of Object.entries(delivery.headers ?? {})) {
    if (value === undefined) delete headers[name.toLowerCase()];
    else headers[name.toLowerCase()] = value;
  }
  const response = await fetch(`${gatewayUrl}/webhooks/github`, { method: 'POST', headers, body: rawBody });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body, deliveryId };
}

/** An `issue_comment.created` payload on a PR or issue of acme/widgets, with the given comment text. */
export function commentPayload(options: { body: string; number?: number; pullRequest?: boolean; login?: string; association?: string; repo?: string; commentId?: number }) {
  const payload = githubFixture<{
    issue: { number: number; html_url: string; pull_request?: unknown };
    comment: { body: string; id: number; user: { login: string }; author_association: string };
    repository: { name: string; full_name: string };
  }>(options.pullRequest === false ? 'issue_comment.created.issue' : 'issue_comment.created.pull_request');
  payload.comment.body = options.body;
  if (options.number !== undefined) {
    payload.issue.number = options.number;
    payload.comment.id = 7_000_000 + options.number;
  }
  if (options.commentId !== undefined) payload.comment.id = options.commentId;
  if (options.login !== undefined) payload.comment.user.login = options.login;
  if (options.association !== undefined) payload.comment.author_association = options.association;
  if (options.repo !== undefined) {
    payload.repository.name = options.repo;
    payload.repository.full_name = `acme/${options.repo}`;
  }
  return payload;
}
