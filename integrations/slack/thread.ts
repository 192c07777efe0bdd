import { z } from 'zod';
import type { ThreadRef } from '../../contracts/thread';

/** Where a Slack thread lives: the workspace, the channel and the `ts` of the thread's first message. */
export interface SlackAddress {
  team: string;
  channel: string;
  threadTs: string;
}

const addressSchema = z.object({ team: z.string().min(1), channel: z.string().min(1), threadTs: z.string().regex(/^\d+\.\d+$/) });

/**
 * The thread of a Slack conversation, `slack:<team>/<channel>/<thread ts>`. Its link is the permalink
 * under `workspaceUrl`, the one `auth.test` answers (`https://acme.slack.com/`), which Slack's apps open;
 * without it (no token, or `auth.test` failing), the thread in Slack's web client, which needs only ids.
 */
export function slackThread(address: SlackAddress, options: { workspaceUrl?: string; channelName?: string; repo?: string; direct?: boolean } = {}): ThreadRef {
  const where = options.direct === true ? 'direct message' : options.channelName ? `#${options.channelName}` : address.channel;
  const url =
    options.workspaceUrl === undefined
      ? `https://app.slack.com/client/${address.team}/${address.channel}/thread/${address.channel}-${address.threadTs}`
      : `${options.workspaceUrl.replace(/\/?$/, '/')}archives/${address.channel}/p${address.threadTs.replace('.', '')}`;
  return {
    provider: 'slack',
    key: `${address.team}/${address.channel}/${address.threadTs}`,
    label: `${where} › ${address.threadTs}`,
    kind: options.direct === true ? 'Slack direct message' : 'Slack thread',
    url,
    ...(options.repo === undefined ? {} : { repo: options.repo }),
    address: { team: address.team, channel: address.channel, threadTs: address.threadTs },
  };
}

/**
 * The address of a Slack thread, validated (threads come back from workflow history).
 * @throws Error when the thread is not a Slack thread or its address is incomplete.
 */
export function slackAddress(thread: ThreadRef): SlackAddress {
  if (thread.provider !== 'slack') throw new Error(`not a Slack thread: ${thread.provider}:${thread.key}`);
  const parsed = addressSchema.safeParse(thread.address);
  if (!parsed.success) throw new Error(`Slack thread ${thread.key} has an invalid address: ${parsed.error.message}`);
  return parsed.data;
}
