// Codex: settings, the model, the host's tools and the approval callback; starts conversations.

import { Conversation } from './conversation';
import { native, nativeSync } from './errors';
import type {
  CodexOptions as CoreOptions,
  ConversationsPage,
  EventOf,
  ReviewDecision,
  SandboxPolicy,
} from './generated/protocol';
import { NativeCodex } from './native';
import { ReplayModel } from './replay';
import type { ScriptedModel } from './scripted';
import { type JsonSchema, type ToolDefinition, type ZodLike, toNativeTool } from './tools';

/** What needs the host's approval: a command, a patch, or a call of an MCP server's tool. */
export type ApprovalRequest =
  | EventOf<'exec_approval_request'>
  | EventOf<'apply_patch_approval_request'>
  | EventOf<'mcp_tool_call_approval_request'>;

/** An approval answer: a `ReviewDecision`, or `true` (approved) / `false` (denied). */
export type ApprovalDecision = ReviewDecision | boolean;

/**
 * Decides on an approval request, sync or async. A callback that throws or rejects denies the request.
 * Without a callback, requests are denied (after the approval timeout, unless an op answers them first).
 */
export type ApprovalCallback = (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;

/**
 * One telemetry event, redacted (no API key; no prompt text unless `[otel] log_user_prompt`): when, about
 * which conversation, and what — `kind.name` is the catalog's name, beside that event's fields.
 */
export interface TelemetryEvent {
  /** `event.timestamp` (RFC 3339). */
  timestamp: string;
  /** The common fields: `conversation_id`, `app_version`, `auth_mode`, `account_id`, `terminal_type`, `model`, `slug`. */
  metadata: Record<string, unknown>;
  /** The event: its `name` and its fields. */
  kind: {
    name: 'codex.api_request' | 'codex.sse_event' | 'codex.user_prompt' | 'codex.tool_decision' | 'codex.tool_result';
    [field: string]: unknown;
  };
}

/** What telemetry delivery did so far. */
export interface TelemetryStats {
  /** Records the `[otel]` exporter's collector accepted. */
  exported: number;
  /** Records the exporter dropped because its queue was full. */
  dropped: number;
  /** Records whose export failed. */
  failed: number;
  /** Events `onTelemetry` fell too far behind for (dropped, never waited for). */
  host_dropped: number;
}

/** `snake_case` to `camelCase`, as a type. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/**
 * The core's settings (`CodexOptions`, generated from the protocol schema) with camelCase keys; every one
 * is optional and what is absent keeps the core's default. Policies take Codex CLI's strings
 * (`approvalPolicy: 'never'`, `sandboxPolicy: 'workspace-write'`) or the typed values; `loadConfig: true`
 * reads `codexHome/config.toml` and `auth.json` first, with `configOverrides: ['key=value']` on top.
 */
export type CodexSettings = {
  [K in keyof CoreOptions as Camel<K & string>]?: K extends 'sandbox_policy' ? SandboxPolicy['mode'] | SandboxPolicy : CoreOptions[K];
};

/** `new Codex()`'s options: the settings, plus what cannot be data. */
export interface CodexOptions extends CodexSettings {
  /** Tools every conversation gets. */
  tools?: ToolDefinition<JsonSchema | ZodLike>[];
  /** Answers approval requests. */
  onApproval?: ApprovalCallback;
  /**
   * Receives every telemetry event, in order, on the JS thread after the work it describes — never on a
   * turn's own path, so a slow callback cannot slow a turn. `await codex.shutdown()` waits until it has
   * had every event so far.
   */
  onTelemetry?: (event: TelemetryEvent) => void;
  /** An offline model instead of an HTTP client (for tests and demos): scripted, or replaying a recording. */
  modelClient?: ScriptedModel | ReplayModel;
}

/** The settings as the core's `CodexOptions` JSON (camelCase keys back to snake_case; values as they are). */
function optionsJson(settings: CodexSettings): string {
  const entries = Object.entries(settings).filter(([, value]) => value !== undefined);
  return JSON.stringify(Object.fromEntries(entries.map(([key, value]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), value])));
}

/** Options of `listConversations`. */
export interface ListOptions {
  /** Conversations per page (default 25). */
  pageSize?: number;
  /** Where to continue: the previous page's `next_cursor`. */
  cursor?: string | null;
}

/** Options of `startConversation`, `resumeConversation` and `forkConversation`. */
export interface ConversationOptions {
  /** Tools registered in this conversation only, on top of the Codex's. */
  tools?: ToolDefinition<JsonSchema | ZodLike>[];
}

function decisionText(answer: unknown): string {
  if (answer === true) return 'approved';
  if (answer === false || answer === undefined || answer === null) return 'denied';
  return String(answer);
}

function approvalBridge(callback: ApprovalCallback): (request: string) => string | Promise<string> {
  return (request) => {
    const answer: unknown = callback(JSON.parse(request) as ApprovalRequest);
    if (typeof (answer as PromiseLike<unknown> | null)?.then === 'function') {
      return Promise.resolve(answer).then(decisionText);
    }
    return decisionText(answer);
  };
}

function withTools(conversation: Conversation, options: ConversationOptions): Conversation {
  for (const definition of options.tools ?? []) conversation.tools.register(definition);
  return conversation;
}

/**
 * The entry point: settings, the model, the host's tools; starts conversations, which run in this process.
 *
 * ```ts
 * const codex = new Codex({ model: 'gpt-5-codex' });
 * const conversation = await codex.startConversation();
 * const { finalMessage } = await conversation.run('What is in this directory?');
 * ```
 */
export class Codex {
  private readonly native: NativeCodex;

  constructor(options: CodexOptions = {}) {
    const { tools = [], onApproval, onTelemetry, modelClient, ...settings } = options;
    const replay = modelClient instanceof ReplayModel ? modelClient.native : undefined;
    const scripted = modelClient instanceof ReplayModel ? undefined : modelClient?.toJSON();
    const nativeTools = tools.map((t) => toNativeTool(t as ToolDefinition));
    const callback = onApproval ? approvalBridge(onApproval) : undefined;
    const telemetry = onTelemetry
      ? (event: string): void => {
          onTelemetry(JSON.parse(event) as TelemetryEvent);
        }
      : undefined;
    this.native = nativeSync(
      () =>
        new NativeCodex(
          optionsJson(settings),
          scripted === undefined ? undefined : JSON.stringify(scripted),
          nativeTools,
          callback,
          telemetry,
          replay,
        ),
    );
  }

  /** A model replaying the conversation `conversationId` this Codex recorded (see `ReplayModel`). */
  async replayModel(conversationId: string): Promise<ReplayModel> {
    return new ReplayModel(await native(this.native.replayModel(conversationId)));
  }

  /** The model conversations use. */
  get model(): string {
    return this.native.model;
  }

  /**
   * Ends every conversation this Codex started and waits for them (a running turn ends with
   * `turn_aborted`, its tool calls with their end events), exports the telemetry still queued for an
   * `[otel]` exporter and waits until `onTelemetry` has had every event so far. Call it before the
   * process exits. Until then a conversation outlives the `Codex` object that started it.
   */
  async shutdown(): Promise<void> {
    await native(this.native.shutdown());
  }

  /** What telemetry delivery did so far (the `[otel]` exporter's records, and events `onTelemetry` missed). */
  telemetryStats(): TelemetryStats {
    return JSON.parse(this.native.telemetryStats()) as TelemetryStats;
  }

  /** Starts a conversation, recorded under `codexHome` (its path: `conversation.rolloutPath`). */
  async startConversation(options: ConversationOptions = {}): Promise<Conversation> {
    return withTools(new Conversation(await native(this.native.startConversation())), options);
  }

  /** Resumes a recorded conversation: same id, its history, new turns appended to the same file. */
  async resumeConversation(path: string, options: ConversationOptions = {}): Promise<Conversation> {
    return withTools(new Conversation(await native(this.native.resumeConversation(path))), options);
  }

  /**
   * Forks a recorded conversation into a new one (new id, new file) holding everything before its
   * `nthUserMessage`-th user message (0-based; past the end copies the whole conversation).
   */
  async forkConversation(path: string, nthUserMessage: number, options: ConversationOptions = {}): Promise<Conversation> {
    const forked = await native(this.native.forkConversation(path, nthUserMessage));
    return withTools(new Conversation(forked), options);
  }

  /** One page of recorded conversations, newest first. */
  async listConversations(options: ListOptions = {}): Promise<ConversationsPage> {
    const { pageSize = 25, cursor } = options;
    const text = await native(this.native.listConversations(pageSize, cursor ?? undefined));
    return JSON.parse(text) as ConversationsPage;
  }

  /** The rollout file of a recorded (not archived) conversation, or `null`. */
  async findConversationPath(conversationId: string): Promise<string | null> {
    return (await native(this.native.findConversationPath(conversationId))) ?? null;
  }

  /** Archives a conversation (shutting it down if it runs); resolves to the archived file's path. */
  async archiveConversation(conversationId: string, path: string): Promise<string> {
    return native(this.native.archiveConversation(conversationId, path));
  }

  /** Moves an archived conversation back; resolves to its new path. */
  async unarchiveConversation(conversationId: string, path: string): Promise<string> {
    return native(this.native.unarchiveConversation(conversationId, path));
  }
}
