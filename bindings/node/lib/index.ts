// codex-sdk: the Codex coding agent in process. Start here: `new Codex(options)`.

export {
  Codex,
  type ApprovalCallback,
  type ApprovalDecision,
  type ApprovalRequest,
  type CodexOptions,
  type CodexSettings,
  type ConversationOptions,
  type ListOptions,
  type TelemetryEvent,
  type TelemetryStats,
} from './codex';
export { Conversation, type Input, type TurnOptions } from './conversation';
export { authStatus, formatTokensCompact, formatTokensExact, loginApiKey, logout, setDefaultModel, userEmail } from './home';
export { CodexError, RustError } from './error-base';
export * from './generated/errors';
export type * from './generated/protocol';
export { ScriptedModel, ScriptedResponse } from './scripted';
export { EventStream } from './stream';
export { Tools, tool, type JsonSchema, type ToolArgs, type ToolContext, type ToolDefinition, type ZodLike } from './tools';

import { version as nativeVersion } from './native';

/** The version of the native addon. */
export function version(): string {
  return nativeVersion();
}
