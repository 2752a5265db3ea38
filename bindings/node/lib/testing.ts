// `codex-sdk/testing`: the core's loopback mock model server (real HTTP, Responses-API SSE) and its
// event builders, so tests run real turns without a network or a key.

import { native, nativeSync } from './errors';
import { chat, sse, startMockServer, type NativeMockServer } from './native';

export { ReplayModel } from './replay';
export { ScriptedModel, ScriptedResponse } from './scripted';
export { chat, sse };

/** One answer of the mock server. Give exactly one of `sse`, `chat`, `rawSse`, `status`. */
export interface MockResponse {
  /** A Responses API stream of these events (build them with `sse.*`). */
  sse?: unknown[];
  /** A Chat Completions stream of these chunks (then `[DONE]`). */
  chat?: unknown[];
  /** A stream body sent verbatim. */
  rawSse?: string;
  /** A plain response with this HTTP status. */
  status?: number;
  /** The body of a plain response. */
  body?: string;
  /** A JSON body (sets `Content-Type: application/json`). */
  jsonBody?: unknown;
  /** Extra headers, `[name, value]`. */
  headers?: [string, string][];
  /** Closes the connection after this many body bytes. */
  cutAfterBytes?: number;
  /** Stops sending after this many body bytes but keeps the connection open. */
  stallAfterBytes?: number;
  /** Pauses between events. */
  eventDelayMs?: number;
}

/** A request the mock server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: [string, string][];
  /** The body as text. */
  body: string;
}

/**
 * A mock model server on `127.0.0.1`: every request is answered with the next queued response (500 when
 * none is queued). Point `new Codex({ baseUrl: server.baseUrl, apiKey: 'test' })` at it.
 */
export class MockServer {
  private constructor(private readonly native: NativeMockServer) {}

  /** Starts a server on a free port. */
  static async start(): Promise<MockServer> {
    return new MockServer(await native(startMockServer()));
  }

  /** `http://127.0.0.1:PORT/v1`. */
  get baseUrl(): string {
    return this.native.baseUrl;
  }

  /** Queues an answer. */
  enqueue(response: MockResponse): this {
    nativeSync(() => this.native.enqueue(JSON.stringify(response)));
    return this;
  }

  /** Queues a text answer streamed in up to three deltas. */
  enqueueText(text: string, responseId = 'resp_1'): this {
    return this.enqueue({ sse: sse.textResponse(responseId, text) });
  }

  /** Queues a function-call answer. */
  enqueueToolCall(name: string, args: unknown, callId = 'call_1', responseId = 'resp_tool'): this {
    return this.enqueue({ sse: sse.toolCallResponse(responseId, callId, name, JSON.stringify(args)) });
  }

  /** Every request received so far. */
  requests(): RecordedRequest[] {
    return JSON.parse(nativeSync(() => this.native.requests())) as RecordedRequest[];
  }

  /** Answers not handed out yet. */
  pending(): number {
    return nativeSync(() => this.native.pending());
  }

  /** Stops the server. */
  close(): void {
    this.native.close();
  }
}
