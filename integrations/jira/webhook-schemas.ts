import { z } from 'zod';

/**
 * What agent-bot reads of Jira Cloud's webhook payloads (https://developer.atlassian.com/cloud/jira/platform/webhooks/,
 * "Example callback for an issue-related event"); everything else passes through unread. Admin webhooks send
 * the v2 representation: `comment.body` and `issue.fields.description` are wiki-markup strings. Atlassian
 * Document Format objects are accepted too, in case a site sends v3 bodies.
 */

/** A node of an Atlassian Document Format document: https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/ */
export interface AdfNode {
  type: string;
  text?: string | undefined;
  attrs?: Record<string, unknown> | undefined;
  marks?: { type: string; attrs?: Record<string, unknown> | undefined }[] | undefined;
  content?: AdfNode[] | undefined;
}

export const adfNodeSchema: z.ZodType<AdfNode> = z.lazy(() =>
  z.object({
    type: z.string(),
    text: z.string().optional(),
    attrs: z.record(z.string(), z.unknown()).optional(),
    marks: z.array(z.object({ type: z.string(), attrs: z.record(z.string(), z.unknown()).optional() })).optional(),
    content: z.array(adfNodeSchema).optional(),
  }),
);

/** Wiki markup (webhooks) or an ADF document (REST v3). */
export const richTextSchema = z.union([z.string(), adfNodeSchema]).nullable().optional();
export type RichText = z.infer<typeof richTextSchema>;

const user = z.object({
  accountId: z.string().min(1),
  displayName: z.string().optional(),
  /** `atlassian` (a person or agent-bot's own account), `app` (automation), `customer` (Jira Service Management). */
  accountType: z.string().optional(),
});
export type JiraUser = z.infer<typeof user>;

const issue = z.object({
  id: z.string().min(1),
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*-\d+$/, 'expected an issue key like PROJ-12'),
  fields: z
    .object({
      summary: z.string().optional(),
      description: richTextSchema,
      labels: z.array(z.string()).optional(),
    })
    .optional()
    .default({}),
});
export type JiraWebhookIssue = z.infer<typeof issue>;

/** `comment_created`. */
export const commentCreatedSchema = z.object({
  webhookEvent: z.literal('comment_created'),
  comment: z.object({ id: z.string().min(1), body: richTextSchema, author: user }),
  issue,
});
export type CommentCreated = z.infer<typeof commentCreatedSchema>;

/** `jira:issue_created`. */
export const issueCreatedSchema = z.object({
  webhookEvent: z.literal('jira:issue_created'),
  user: user.optional(),
  issue,
});

/** `jira:issue_updated`: a labels change reads `fromString: "a b"`, `toString: "a b agent"` (space-separated). */
export const issueUpdatedSchema = z.object({
  webhookEvent: z.literal('jira:issue_updated'),
  user: user.optional(),
  issue,
  changelog: z
    .object({
      id: z.string().optional(),
      items: z.array(z.object({ field: z.string(), fromString: z.string().nullable().optional(), toString: z.string().nullable().optional() })),
    })
    .optional(),
});

/** `jira:issue_deleted`. */
export const issueDeletedSchema = z.object({
  webhookEvent: z.literal('jira:issue_deleted'),
  issue: z.object({ key: issue.shape.key }),
});

/** Any event: `webhookEvent` is all we read before choosing a schema. */
export const anyJiraEventSchema = z.object({ webhookEvent: z.string().min(1) });

/** `field.path: message; ...`, for a 400 that says which field is wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}
