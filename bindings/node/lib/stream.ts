// Async iteration over a native event stream: one native call per batch of events, one Promise per event.

import { codexError, native } from './errors';
import type { NativeEventStream } from './native';

/** Events fetched per native call at most. */
const BATCH = 1024;

/**
 * The events of a turn (or of a conversation), for `for await`. Leaving the loop early (`break`, `return`,
 * a throw) closes the stream, which interrupts a turn that has not ended; so does an abort of the signal
 * given to `stream()`, after which the iteration throws an `InterruptedError`.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private batch: T[] = [];
  private index = 0;
  private done = false;
  private aborted: unknown = undefined;
  private readonly onAbort?: () => void;

  /** @internal */
  constructor(
    private readonly native: NativeEventStream,
    private readonly signal?: AbortSignal,
  ) {
    if (signal) {
      this.onAbort = () => {
        this.aborted = signal.reason ?? new Error('aborted');
        this.native.close();
      };
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    if (this.index < this.batch.length) {
      return { value: this.batch[this.index++] as T, done: false };
    }
    if (this.done) return { value: undefined, done: true };
    if (this.aborted === undefined) {
      const text = await native(this.native.next(BATCH));
      if (text !== null && this.aborted === undefined) {
        this.batch = JSON.parse(text) as T[];
        this.index = 1;
        return { value: this.batch[0] as T, done: false };
      }
    }
    this.finish();
    if (this.aborted !== undefined) {
      throw codexError('interrupted', 'the stream was aborted', { cause: this.aborted });
    }
    return { value: undefined, done: true };
  }

  /** Stops the stream (what `break` calls); a turn that has not ended is interrupted. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.finish();
    return { value: undefined, done: true };
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.batch = [];
    this.index = 0;
    this.native.close();
    if (this.signal && this.onAbort) this.signal.removeEventListener('abort', this.onAbort);
  }
}
