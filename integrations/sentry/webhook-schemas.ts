import { z } from 'zod';

/**
 * What agent-bot reads of the integration platform's webhooks
 * (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/): `{action, installation, data, actor}`,
 * the resource named by the `Sentry-Hook-Resource` header. Everything else passes through unread.
 */

const id = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(String);

/** Who acted: `user` for a person (and for agent-bot's own proxy user), `application` for Sentry itself. */
const actor = z.object({ type: z.string().optional(), id: z.union([z.string(), z.number()]).optional(), name: z.string().optional() }).optional();

/** `comment.created` (…/webhooks/comments/): comment webhooks carry no organization slug. */
export const commentCreatedSchema = z.object({
  action: z.literal('created'),
  data: z.object({ comment: z.string(), comment_id: id, issue_id: id, project_slug: z.string().optional() }),
  actor,
});
export type SentryCommentCreated = z.infer<typeof commentCreatedSchema>;

/** `issue.created` (…/webhooks/issues/). */
export const issueCreatedSchema = z.object({
  action: z.literal('created'),
  data: z.object({
    issue: z.object({
      id,
      shortId: z.string().optional(),
      title: z.string(),
      culprit: z.string().nullable().optional(),
      web_url: z.string().optional(),
      project: z.object({ slug: z.string() }).optional(),
    }),
  }),
});
export type SentryIssueCreated = z.infer<typeof issueCreatedSchema>;

/** `event_alert.triggered` (…/webhooks/issue-alerts/): an issue alert rule with this integration as its action fired. */
export const eventAlertTriggeredSchema = z.object({
  action: z.literal('triggered'),
  data: z.object({
    event: z.object({
      event_id: z.string().min(1),
      issue_id: id,
      title: z.string().optional(),
      culprit: z.string().nullable().optional(),
      web_url: z.string().optional(),
      /** `…/api/0/projects/<org>/<project slug>/events/<id>/`: the only place the project's slug appears. */
      url: z.string().optional(),
    }),
    triggered_rule: z.string().optional(),
  }),
});
export type SentryEventAlertTriggered = z.infer<typeof eventAlertTriggeredSchema>;

/** Any delivery: `action` is all we read before choosing a schema. */
export const anySentryEventSchema = z.object({ action: z.string().min(1) });

/** `field.path: message; ...`, for a 400 that says which field is wrong. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}
