// Codex: settings, the model, the host's tools and the approval callback; starts conversations.

import { Conversation } from './conversation';
import { native, nativeSync } from './errors';
import type {
  AskForApproval,
  ConversationsPage,
  EventOf,
  ReasoningEffort,
  ReasoningSummary,
  ReviewDecision,
  SandboxPolicy,
} from './generated/protocol';
import { NativeCodex } from './native';
import type { ScriptedModel } from './scripted';
import { type JsonSchema, type ToolDefinition, type ZodLike, toNativeTool } from './tools';

/** What needs the host's approval: a command, or a patch. */
export type ApprovalRequest = EventOf<'exec_approval_request'> | EventOf<'apply_patch_approval_request'>;

/** An approval answer: a `ReviewDecision`, or `true` (approved) / `false` (denied). */
export type ApprovalDecision = ReviewDecision | boolean;

/**
 * Decides on an approval request, sync or async. A callback that throws or rejects denies the request.
 * Without a callback, requests are denied (after the approval timeout, unless an op answers them first).
 */
export type ApprovalCallback = (request: ApprovalRequest) => ApprovalDecision | Promise<ApprovalDecision>;

/** Settings of `new Codex()`. Every one is optional; what is absent keeps the core's default. */
export interface CodexOptions {
  /** The model's name. */
  model?: string;
  /** The API key (default: the provider's environment variable, `OPENAI_API_KEY` for OpenAI). */
  apiKey?: string;
  /** An OpenAI-compatible API at this URL (e.g. `http://127.0.0.1:8080/v1`). */
  baseUrl?: string;
  /** The working directory of turns (default: the process's). */
  cwd?: string;
  /** Where sessions and credentials live (default `~/.codex`, or `CODEX_HOME`). */
  codexHome?: string;
  /** Replaces the SDK's system instructions. */
  instructions?: string;
  /** When to ask the host before running a command. */
  approvalPolicy?: AskForApproval;
  /** What commands may touch. */
  sandboxPolicy?: SandboxPolicy;
  /** How hard a reasoning model thinks. */
  reasoningEffort?: ReasoningEffort;
  /** Which reasoning summary the model produces. */
  reasoningSummary?: ReasoningSummary;
  /** The context window in tokens (overrides the known-models table). */
  modelContextWindow?: number;
  /** Where the model is served: the core's `ModelProviderInfo` (JSON form), for full control. */
  provider?: { [key: string]: unknown };
  /** Events buffered per conversation before the agent waits for its reader. */
  eventBuffer?: number;
  /** How long an approval request waits for an answer before it is denied, in milliseconds. */
  approvalTimeoutMs?: number;
  /** The `originator` header value. */
  originator?: string;
  /** Appended to the user agent. */
  userAgentSuffix?: string;
  /** Whether conversations are not recorded (no rollout files; no resume, fork or listing). Default false. */
  ephemeral?: boolean;
  /** Whether conversations get the built-in tools (shell, read_file, list_dir, apply_patch, …). Default true. */
  builtinTools?: boolean;
  /** Tools every conversation gets. */
  tools?: ToolDefinition<JsonSchema | ZodLike>[];
  /** Answers approval requests. */
  onApproval?: ApprovalCallback;
  /** An offline scripted model instead of an HTTP client (for tests and demos). */
  modelClient?: ScriptedModel;
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
    const { tools = [], onApproval, modelClient, ...settings } = options;
    const scripted = modelClient?.toJSON();
    const nativeTools = tools.map((t) => toNativeTool(t as ToolDefinition));
    const callback = onApproval ? approvalBridge(onApproval) : undefined;
    this.native = nativeSync(
      () => new NativeCodex(JSON.stringify({ ...settings, scriptedModel: scripted }), nativeTools, callback),
    );
  }

  /** The model conversations use. */
  get model(): string {
    return this.native.model;
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
}
