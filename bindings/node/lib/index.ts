// codex-sdk: the Codex coding agent in process. Start here: `new Codex(options)`.

export {
  Codex,
  type ApprovalCallback,
  type ApprovalDecision,
  type ApprovalRequest,
  type CodexOptions,
  type ConversationOptions,
  type ListOptions,
} from './codex';
export { Conversation, type Input, type TurnOptions, type TurnResult } from './conversation';
export { CodexError, RustError } from './error-base';
export * from './generated/errors';
export type * from './generated/protocol';
export { ScriptedModel, ScriptedResponse } from './scripted';
export { EventStream } from './stream';
export { Tools, tool, type JsonSchema, type ToolArgs, type ToolDefinition, type ZodLike } from './tools';

import { version as nativeVersion } from './native';

/** The version of the native addon. */
export function version(): string {
  return nativeVersion();
}
