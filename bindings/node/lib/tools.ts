// Host tools: a JS function (sync or async) plus the JSON schema of its arguments — or a zod schema, when
// zod (≥ 4) is installed: it is converted with zod's own `toJSONSchema` and parses the arguments first.

import { nativeSync } from './errors';
import type { ReviewDecision } from './generated/protocol';
import type { NativeConversation, NativeToolCall, NativeToolDef } from './native';

/** A JSON schema (an object; the model receives it as the tool's `parameters`). */
export type JsonSchema = { [key: string]: unknown };

/** What a zod (≥ 4) schema looks like, structurally — codex-sdk does not depend on zod. */
export interface ZodLike<Out = unknown> {
  readonly _zod: { readonly output: Out };
  parse(data: unknown): Out;
}

/** The arguments a handler receives: the zod schema's output type, or a JSON object. */
export type ToolArgs<P> = P extends ZodLike<infer Out> ? Out : { [key: string]: unknown };

/** What a tool call may know and do besides its arguments. */
export interface ToolContext {
  /** The conversation's id. */
  readonly conversationId: string;
  /** This call's id (the model's `call_id`). */
  readonly callId: string | null;
  /** The turn's working directory. */
  readonly cwd: string;
  /** Aborted when the turn is interrupted; a long tool should stop. */
  readonly signal: AbortSignal;
  /**
   * Asks the host (`onApproval`, or an `exec_approval` op) to approve running `command`. Keyed by the
   * call id; a command approved for the session is not asked again; `abort` ends the turn. Fails closed:
   * no answer within the approval timeout is `denied`.
   */
  requestApproval(command: string[], reason?: string): Promise<ReviewDecision>;
}

function contextOf(call: NativeToolCall): ToolContext {
  const controller = new AbortController();
  void call.whenCancelled().then((cancelled) => {
    if (cancelled) controller.abort();
  });
  return {
    conversationId: call.conversationId,
    callId: call.callId ?? null,
    cwd: call.cwd,
    signal: controller.signal,
    requestApproval: async (command, reason) => (await call.requestApproval(command, reason)) as ReviewDecision,
  };
}

/**
 * A tool the model can call. The handler gets the parsed arguments (and the call's `ToolContext`) and
 * returns the output: a string as
 * it is, anything else as JSON (`undefined` as the empty string). A throw or a rejection becomes a failed
 * tool output that the model sees, and the turn goes on.
 */
export interface ToolDefinition<P extends JsonSchema | ZodLike = JsonSchema | ZodLike> {
  /** The name the model calls it by (ASCII letters, digits, `_` and `-`; at most 64). */
  name: string;
  /** What it does, for the model. */
  description?: string;
  /** Its arguments: a JSON schema of an object, or a zod schema. Default: an object with no properties. */
  parameters?: P;
  /** Runs one call. */
  handler: (args: ToolArgs<P>, context: ToolContext) => unknown;
  /** Whether calls may run concurrently with other parallel-safe calls (default false). */
  parallel?: boolean;
}

/** Defines a tool, inferring the handler's argument type from a zod schema. */
export function tool<P extends JsonSchema | ZodLike>(definition: ToolDefinition<P>): ToolDefinition<P> {
  return definition;
}

function isZod(schema: unknown): schema is ZodLike {
  return typeof schema === 'object' && schema !== null && '_zod' in schema;
}

function zodToJsonSchema(schema: ZodLike): JsonSchema {
  let zod: { toJSONSchema?: (schema: unknown) => JsonSchema };
  try {
    // The host's own zod: the one its schema was built with.
    zod = require('zod');
  } catch {
    throw new TypeError('a zod schema was given as tool parameters, but zod cannot be loaded');
  }
  if (typeof zod.toJSONSchema !== 'function') {
    throw new TypeError('zod schemas as tool parameters need zod ≥ 4 (z.toJSONSchema)');
  }
  const { $schema: _meta, ...json } = zod.toJSONSchema(schema);
  return json;
}

function outputText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** The native form of a tool: JSON in, text out; failures reject with the message the model will see. */
export function toNativeTool(definition: ToolDefinition): NativeToolDef {
  const { name, description = '', parameters, handler, parallel } = definition;
  if (typeof handler !== 'function') throw new TypeError(`tool ${name}: handler must be a function`);
  const zod = isZod(parameters) ? parameters : undefined;
  const schema = zod ? zodToJsonSchema(zod) : (parameters ?? { type: 'object', properties: {} });
  const invoke = handler as (args: unknown, context: ToolContext) => unknown;
  return {
    name,
    description,
    parameters: JSON.stringify(schema),
    parallel,
    handler(call: NativeToolCall): string | Promise<string> {
      let result: unknown;
      try {
        const args: unknown = JSON.parse(call.args);
        result = invoke(zod ? zod.parse(args) : args, contextOf(call));
      } catch (err) {
        return Promise.reject(messageOf(err));
      }
      if (isThenable(result)) {
        return Promise.resolve(result).then(outputText, (err: unknown) => Promise.reject(messageOf(err)));
      }
      return outputText(result);
    },
  };
}

/** A conversation's tools: add and remove them between turns (or during one: each model request sees the
 * set as it was when the request was built). */
export class Tools {
  /** @internal */
  constructor(private readonly native: NativeConversation) {}

  /** Adds a tool, replacing any tool of the same name (built-in tools included). */
  register<P extends JsonSchema | ZodLike>(definition: ToolDefinition<P>): void {
    const nativeTool = toNativeTool(definition as ToolDefinition);
    nativeSync(() => this.native.registerTool(nativeTool));
  }

  /** Removes a tool; returns whether there was one. */
  unregister(name: string): boolean {
    return this.native.unregisterTool(name);
  }

  /** The names of the tools, in registration order. */
  names(): string[] {
    return this.native.toolNames();
  }
}
