import { z } from 'zod';

/** Only the fields agent-bot reads; everything else in GitHub's payloads passes through unread. */
const repository = z.object({
  name: z.string().min(1),
  owner: z.object({ login: z.string().min(1) }),
});

const user = z.object({
  login: z.string().min(1),
  type: z.string().optional(),
});

const issue = z.object({
  number: z.number().int().positive(),
  title: z.string().optional(),
  html_url: z.string().optional(),
  pull_request: z.object({}).passthrough().optional(),
});

export const issueCommentCreatedSchema = z.object({
  action: z.literal('created'),
  issue,
  comment: z.object({
    id: z.number().int(),
    body: z.string().nullable(),
    html_url: z.string().optional(),
    user,
    author_association: z.string(),
  }),
  repository,
  sender: user.optional(),
});
export type IssueCommentCreated = z.infer<typeof issueCommentCreatedSchema>;

/** An edited comment: `changes.body.from` is the text before the edit. */
export const issueCommentEditedSchema = issueCommentCreatedSchema.extend({
  action: z.literal('edited'),
  comment: issueCommentCreatedSchema.shape.comment.extend({ updated_at: z.string().min(1) }),
  changes: z.object({ body: z.object({ from: z.string().nullable().optional() }).optional() }).optional().default({}),
});

export const pullRequestClosedSchema = z.object({
  action: z.literal('closed'),
  number: z.number().int().positive(),
  repository,
});

export const issueClosedSchema = z.object({
  action: z.literal('closed'),
  issue: z.object({ number: z.number().int().positive() }),
  repository,
});

/** A click on a check run button (`check_run.requested_action`). */
export const checkRunRequestedActionSchema = z.object({
  action: z.literal('requested_action'),
  check_run: z.object({ id: z.number().int(), external_id: z.string().nullable().optional() }),
  requested_action: z.object({ identifier: z.string().min(1) }),
  repository,
  sender: user,
});

/** Any event: `action` is all we read before choosing a schema. */
export const anyEventSchema = z.object({ action: z.string().optional() }).passthrough();

/** `field.path: message; ...`, for a 400 that says which field is wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ');
}
