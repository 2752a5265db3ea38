// Compiled (not run) by `npm run typecheck`: the public types work as documented.
import { Codex, UnauthorizedError, tool, type EventMsg } from 'codex-sdk';
import { z } from 'zod';

function describe(event: EventMsg): string {
  switch (event.type) {
    case 'agent_message_delta':
      return event.delta; // narrowed to AgentMessageDeltaEvent
    case 'exec_command_end':
      return `${event.exit_code}: ${event.aggregated_output}`;
    case 'task_complete':
      return event.last_agent_message ?? '';
    case 'error':
      return event.code; // an ErrorCode
    default:
      return event.type;
  }
}

export async function demo(): Promise<void> {
  const codex = new Codex({
    model: 'gpt-5-codex',
    approvalPolicy: 'untrusted',
    sandboxPolicy: { mode: 'workspace-write', network_access: false },
    onApproval: async (request) => (request.type === 'exec_approval_request' ? request.command[0] === 'ls' : 'denied'),
  });
  const conversation = await codex.startConversation();
  conversation.tools.register(
    tool({
      name: 'add',
      description: 'Adds two integers.',
      parameters: z.object({ a: z.number(), b: z.number() }),
      handler: ({ a, b }) => a + b, // a and b are numbers
    }),
  );
  conversation.tools.register({
    name: 'echo',
    parameters: { type: 'object', properties: { text: { type: 'string' } } },
    handler: async (args) => String(args.text),
  });
  for await (const event of conversation.stream('hi', { signal: AbortSignal.timeout(1000) })) {
    describe(event);
  }
  try {
    const result = await conversation.run('again');
    result.final_message satisfies string | null | undefined;
  } catch (err) {
    if (err instanceof UnauthorizedError) err.code satisfies 'unauthorized';
  }
}

export async function testing(): Promise<void> {
  const { MockServer, sse } = await import('codex-sdk/testing');
  const server = await MockServer.start();
  server.enqueue({ sse: sse.textResponse('r1', 'hi'), eventDelayMs: 1 }).enqueueToolCall('add', { a: 1 });
  const codex = new Codex({ baseUrl: server.baseUrl, apiKey: 'test', ephemeral: true });
  const conversation = await codex.startConversation();
  const { items, usage } = await conversation.run([{ type: 'text', text: 'hi' }]);
  items satisfies { type: string }[];
  usage.total_tokens satisfies number;
  const page = await codex.listConversations({ pageSize: 10 });
  page.items[0]?.preview satisfies string | undefined;
  server.requests()[0]?.path satisfies string | undefined;
  server.close();
}
