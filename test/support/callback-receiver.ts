import { type Reply, type RecordedRequest, StandInServer } from './stand-in-server';

/**
 * What an API caller runs to receive agent-bot's `callback_url` POSTs: it answers 200 to every POST
 * (or what `failNext` scripts) and records each request with its raw body, so a test checks the
 * signature over the exact bytes.
 */
export class CallbackReceiver extends StandInServer {
  /** The URL to give as `callback_url`. */
  get hookUrl(): string {
    return `${this.url}/hook`;
  }

  /** Every POST to the hook, in arrival order, with the status it was answered. */
  get deliveries(): RecordedRequest[] {
    return this.requestsTo('POST', /^\/hook$/);
  }

  protected override route(request: RecordedRequest): Reply {
    if (request.method !== 'POST' || request.path !== '/hook') return { status: 404, body: { error: 'not found' } };
    return { status: 200, body: { received: true } };
  }

  protected override failureReply(status: number): Reply {
    return { status, body: { error: `scripted ${status}` } };
  }
}
