// The core's offline scripted model: it plays a script of responses, for tests and demos without a key.

import type { ErrorCode, ResponseItem, ScriptedModelSpec, ScriptedStep, TokenUsage } from './generated/protocol';

type Step = ScriptedStep;

/** One scripted model response; each method returns a new response with one more step. */
export class ScriptedResponse {
  private constructor(private readonly steps: readonly Step[]) {}

  /** An empty response. */
  static empty(): ScriptedResponse {
    return new ScriptedResponse([]);
  }

  /** A response holding one assistant message (streamed as word-sized deltas). */
  static text(text: string): ScriptedResponse {
    return ScriptedResponse.empty().message(text);
  }

  /** A response holding one function call. */
  static toolCall(name: string, args: { [key: string]: unknown }): ScriptedResponse {
    return ScriptedResponse.empty().functionCall(name, args);
  }

  /** A response whose request fails before any event, with this error code. */
  static fail(code: ErrorCode, message: string): ScriptedResponse {
    return new ScriptedResponse([{ type: 'fail', code, message }]);
  }

  /** Adds an assistant message. */
  message(text: string): ScriptedResponse {
    return this.with({ type: 'message', text });
  }

  /** Adds a reasoning item with one summary part. */
  reasoning(text: string): ScriptedResponse {
    return this.with({ type: 'reasoning', text });
  }

  /** Adds a function call (arguments as a JSON object). */
  functionCall(name: string, args: { [key: string]: unknown }): ScriptedResponse {
    return this.with({ type: 'function_call', name, arguments: args });
  }

  /** Adds a function call whose arguments are sent verbatim (they may be malformed JSON). */
  rawFunctionCall(name: string, args: string): ScriptedResponse {
    return this.with({ type: 'raw_function_call', name, arguments: args });
  }

  /** Adds any history item. */
  item(item: ResponseItem): ScriptedResponse {
    return this.with({ type: 'item', item });
  }

  /** Reports this usage on completion. */
  usage(usage: TokenUsage): ScriptedResponse {
    return this.with({ type: 'usage', usage });
  }

  /** After the items, the stream fails with this error instead of completing. */
  thenFail(code: ErrorCode, message: string): ScriptedResponse {
    return this.with({ type: 'then_fail', code, message });
  }

  /** @internal */
  toJSON(): readonly Step[] {
    return this.steps;
  }

  private with(step: Step): ScriptedResponse {
    return new ScriptedResponse([...this.steps, step]);
  }
}

/** A model that answers each request with the next scripted response (`new Codex({ modelClient })`). */
export class ScriptedModel {
  constructor(
    private readonly responses: readonly ScriptedResponse[],
    private readonly options: { eventDelayMs?: number } = {},
  ) {}

  /** @internal */
  toJSON(): ScriptedModelSpec {
    return { responses: this.responses.map((r) => [...r.toJSON()]), event_delay_ms: this.options.eventDelayMs };
  }
}
