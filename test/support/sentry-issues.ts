/**
 * Sentry issues and their latest event, as the web API returns them:
 * https://docs.sentry.io/api/events/retrieve-an-issue/ and https://docs.sentry.io/api/events/retrieve-an-issue-event/.
 * The API's frames are camel-cased (`lineNo`, `colNo`, `absPath`, `inApp`) with source lines as
 * `context: [[lineNo, line], ...]` (Frame.get_api_context in getsentry/sentry src/sentry/interfaces/stacktrace.py);
 * frames run oldest call first, so the innermost frame is last.
 */

export interface SentryFrameSeed {
  filename: string;
  function: string;
  lineNo: number;
  colNo?: number;
  absPath?: string;
  module?: string;
  contextLine?: string;
  inApp?: boolean;
}

export interface SentryIssueSeed {
  id: string;
  shortId?: string;
  title?: string;
  culprit?: string;
  projectSlug?: string;
  level?: string;
  status?: string;
  /** The latest event's exception; frames outermost first, innermost last. */
  exception: { type: string; value: string; frames: SentryFrameSeed[] };
  tags?: Record<string, string>;
  eventId?: string;
}

const FIRST_SEEN = '2024-05-01T10:00:00.000000Z';

function frameJson(frame: SentryFrameSeed): Record<string, unknown> {
  return {
    filename: frame.filename,
    absPath: frame.absPath ?? frame.filename,
    module: frame.module ?? null,
    package: null,
    platform: null,
    instructionAddr: null,
    symbolAddr: null,
    function: frame.function,
    rawFunction: null,
    symbol: null,
    context: frame.contextLine === undefined ? [] : [[frame.lineNo, frame.contextLine]],
    lineNo: frame.lineNo,
    colNo: frame.colNo ?? null,
    inApp: frame.inApp ?? true,
    trust: null,
    errors: null,
    lock: null,
    sourceLink: null,
    vars: null,
  };
}

export function issueJson(seed: SentryIssueSeed, organization: string, numComments: number): Record<string, unknown> {
  const innermost = seed.exception.frames.at(-1);
  const projectSlug = seed.projectSlug ?? 'backend';
  return {
    id: seed.id,
    shortId: seed.shortId ?? `${projectSlug.toUpperCase()}-${Number(seed.id).toString(36).toUpperCase()}`,
    title: seed.title ?? `${seed.exception.type}: ${seed.exception.value}`,
    culprit: seed.culprit ?? (innermost ? `${innermost.function}(${innermost.filename})` : ''),
    permalink: `https://${organization}.sentry.io/issues/${seed.id}/`,
    logger: null,
    level: seed.level ?? 'error',
    status: seed.status ?? 'unresolved',
    statusDetails: {},
    substatus: 'ongoing',
    isPublic: false,
    platform: 'node',
    project: { id: '2', name: projectSlug, slug: projectSlug, platform: 'node' },
    type: 'error',
    metadata: { type: seed.exception.type, value: seed.exception.value, filename: innermost?.filename, function: innermost?.function },
    numComments,
    assignedTo: null,
    isBookmarked: false,
    isSubscribed: false,
    hasSeen: false,
    annotations: [],
    issueType: 'error',
    issueCategory: 'error',
    count: '1',
    userCount: 0,
    firstSeen: FIRST_SEEN,
    lastSeen: FIRST_SEEN,
  };
}

export function latestEventJson(seed: SentryIssueSeed): Record<string, unknown> {
  const eventId = seed.eventId ?? seed.id.padStart(32, '0');
  return {
    id: eventId,
    eventID: eventId,
    groupID: seed.id,
    projectID: '2',
    title: seed.title ?? `${seed.exception.type}: ${seed.exception.value}`,
    message: '',
    platform: 'node',
    type: 'error',
    dateCreated: FIRST_SEEN,
    dateReceived: FIRST_SEEN,
    tags: Object.entries(seed.tags ?? {}).map(([key, value]) => ({ key, value })),
    contexts: {},
    entries: [
      {
        type: 'exception',
        data: {
          values: [
            {
              type: seed.exception.type,
              value: seed.exception.value,
              mechanism: { type: 'generic', handled: true },
              threadId: null,
              module: null,
              stacktrace: { frames: seed.exception.frames.map(frameJson), framesOmitted: null, registers: null, hasSystemFrames: seed.exception.frames.some((f) => f.inApp === false) },
              rawStacktrace: null,
            },
          ],
          excOmitted: null,
          hasSystemFrames: seed.exception.frames.some((f) => f.inApp === false),
        },
      },
    ],
    errors: [],
    release: null,
    userReport: null,
    nextEventID: null,
    previousEventID: null,
  };
}
