import type { Reply, RecordedRequest } from './stand-in-server';
import type { SlackErrorAnswer } from './slack-limits';

/**
 * A file as it goes through Slack's external upload flow:
 * https://docs.slack.dev/reference/methods/files.getUploadURLExternal (returns `upload_url` and `file_id`),
 * then a POST of the bytes to `upload_url` (raw bytes or multipart; Slack answers 200), then
 * https://docs.slack.dev/reference/methods/files.completeUploadExternal (`files=[{id,title}]`, optional
 * `channel_id`, `thread_ts`, `initial_comment`) which shares it.
 */
export interface SlackFile {
  id: string;
  filename: string;
  title: string;
  /** The `length` the client declared to files.getUploadURLExternal. */
  declaredLength: number;
  alt_text?: string;
  snippet_type?: string;
  /** The bytes posted to the upload URL; undefined until then. */
  content?: Buffer;
  /** How they came: the multipart field name (`@slack/web-api` 8 sends one named `body`), or `raw`. */
  uploadedAs?: string;
  completed: boolean;
  shares: { channel: string; thread_ts?: string; initial_comment?: string }[];
}

let nextFile = 1;

export function startUpload(files: Map<string, SlackFile>, args: Record<string, unknown>, baseUrl: string): Record<string, unknown> | SlackErrorAnswer {
  const filename = typeof args['filename'] === 'string' ? args['filename'] : '';
  const length = Number(args['length']);
  const missing = [filename === '' ? 'filename' : undefined, Number.isInteger(length) && length > 0 ? undefined : 'length'].filter((f) => f !== undefined);
  if (missing.length > 0) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: missing.map((f) => `[ERROR] missing required field: ${f}`) } };
  const id = `F0${String(nextFile++).padStart(8, '0')}`;
  files.set(id, {
    id,
    filename,
    title: filename,
    declaredLength: length,
    alt_text: args['alt_text'] as string | undefined,
    snippet_type: args['snippet_type'] as string | undefined,
    completed: false,
    shares: [],
  });
  return { ok: true, upload_url: `${baseUrl}/upload/v1/${id}`, file_id: id };
}

export async function receiveUpload(files: Map<string, SlackFile>, id: string, request: RecordedRequest): Promise<Reply> {
  const file = files.get(id);
  if (file === undefined) return { status: 404, body: 'Not Found' };
  const type = request.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(request.rawBody, { headers: { 'content-type': type } }).formData();
    for (const [name, value] of form.entries()) {
      if (typeof value === 'string') continue;
      file.content = Buffer.from(await value.arrayBuffer());
      file.uploadedAs = name;
      break;
    }
    if (file.content === undefined) return { status: 400, body: 'no file in form' };
  } else {
    file.content = request.rawBody;
    file.uploadedAs = 'raw';
  }
  return { status: 200, body: `OK - ${file.content.length}` };
}

type Share = (channel: string, threadTs: string | undefined, text: string, files: SlackFile[]) => SlackErrorAnswer | undefined;

export function completeUpload(files: Map<string, SlackFile>, args: Record<string, unknown>, share: Share): Record<string, unknown> | SlackErrorAnswer {
  let list: unknown = args['files'];
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return { ok: false, error: 'invalid_arguments' };
    }
  }
  if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
  const chosen: SlackFile[] = [];
  for (const entry of list as { id?: unknown; title?: unknown }[]) {
    const file = files.get(String(entry.id));
    // Slack cannot find a file whose bytes never reached the upload URL either.
    if (file === undefined || file.content === undefined) return { ok: false, error: 'file_not_found' };
    if (typeof entry.title === 'string' && entry.title !== '') file.title = entry.title;
    chosen.push(file);
  }
  const channel = typeof args['channel_id'] === 'string' && args['channel_id'] !== '' ? args['channel_id'] : (args['channels'] as string | undefined);
  const threadTs = typeof args['thread_ts'] === 'string' && args['thread_ts'] !== '' ? args['thread_ts'] : undefined;
  const comment = typeof args['initial_comment'] === 'string' ? args['initial_comment'] : undefined;
  if (channel !== undefined) {
    const refused = share(channel, threadTs, comment ?? '', chosen);
    if (refused) return refused;
  }
  for (const file of chosen) {
    file.completed = true;
    if (channel !== undefined) file.shares.push({ channel, thread_ts: threadTs, initial_comment: comment });
  }
  return {
    ok: true,
    files: chosen.map((f) => ({ id: f.id, name: f.filename, title: f.title, size: f.content!.length, mimetype: 'text/plain', url_private: `https://files.slack.com/files-pri/T0TEAM0001-${f.id}/${f.filename}` })),
  };
}
