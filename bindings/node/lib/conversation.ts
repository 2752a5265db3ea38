// A conversation: run a turn, stream its events, submit ops, interrupt, manage tools.

import { codexError, native, nativeSync } from './errors';
import type { Event, EventMsg, Op, SessionConfiguredEvent, TurnResult, UserInput } from './generated/protocol';
import type { NativeConversation } from './native';
import { EventStream } from './stream';
import { Tools } from './tools';

/** What a turn starts from: text, one input item, or several. */
export type Input = string | UserInput | UserInput[];

/** Options of `run` and `stream`. */
export interface TurnOptions {
  /** Aborting it interrupts the turn: `run` rejects with an `InterruptedError`, a stream throws one. */
  signal?: AbortSignal;
}

function inputJson(input: Input): string {
  const items: UserInput[] =
    typeof input === 'string' ? [{ type: 'text', text: input }] : Array.isArray(input) ? input : [input];
  return JSON.stringify(items);
}

function abortError(signal: AbortSignal): Error {
  return codexError('interrupted', 'the turn was aborted', { cause: signal.reason });
}

/** One conversation with the agent. Turns run one at a time; a second `run` waits for the first. */
export class Conversation {
  /** The conversation's tools (built-in tools and the host's). */
  readonly tools: Tools;

  /** @internal */
  constructor(private readonly native: NativeConversation) {
    this.tools = new Tools(native);
  }

  /** The conversation's id (a UUID). */
  get id(): string {
    return this.native.id;
  }

  /** Where the conversation is recorded (`null` when the Codex is ephemeral). */
  get rolloutPath(): string | null {
    return this.sessionConfigured.rollout_path ?? null;
  }

  /** The `session_configured` event (also the first event of `events()`). */
  get sessionConfigured(): SessionConfiguredEvent {
    return JSON.parse(this.native.sessionConfigured) as SessionConfiguredEvent;
  }

  /**
   * Runs a turn and resolves when it ends. Rejects with the `CodexError` of a failed turn
   * (`UnauthorizedError`, …), or an `InterruptedError` when it is interrupted or `signal` aborts.
   */
  async run(input: Input, options: TurnOptions = {}): Promise<TurnResult> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    const run = nativeSync(() => this.native.run(inputJson(input)));
    const onAbort = () => run.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return JSON.parse(await native(run.result())) as TurnResult;
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Starts a turn and returns its events for `for await`, ending with the turn's terminal event
   * (`task_complete`, `turn_aborted` or `error`). A `break` out of the loop interrupts the turn.
   */
  stream(input: Input, options: TurnOptions = {}): EventStream<EventMsg> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    return new EventStream<EventMsg>(nativeSync(() => this.native.stream(inputJson(input))), signal);
  }

  /**
   * Every event of the conversation, whatever submitted it (`id` is the submission), until `break` or the
   * conversation ends. Use it with `submit` to drive the conversation by ops; it is the conversation's one
   * reader while it is open (a `run` or `stream` waits for it to close).
   */
  events(options: TurnOptions = {}): EventStream<Event> {
    return new EventStream<Event>(this.native.events(), options.signal);
  }

  /** Submits an op; resolves to its submission id (the `id` of the events it causes). */
  async submit(op: Op): Promise<string> {
    return native(this.native.submit(JSON.stringify(op)));
  }

  /**
   * Shuts the conversation down (after a running `run` or open stream is done) and waits until it has
   * ended and its rollout is complete. Afterwards, turns reject with a `ClosedError`; it can be resumed.
   */
  async shutdown(): Promise<void> {
    return native(this.native.shutdown());
  }

  /** Interrupts the running turn; it ends with a `turn_aborted` event. The conversation stays usable. */
  async interrupt(): Promise<void> {
    return native(this.native.interrupt());
  }
}
