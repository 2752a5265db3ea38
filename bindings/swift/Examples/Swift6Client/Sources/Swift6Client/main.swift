// The README's usage, compiled in Swift 6 language mode: a run, a stream, a tool, an approval callback,
// values sent across tasks. Running it plays a scripted turn offline.
import CodexSDK
import Foundation

struct Numbers: Decodable, Sendable {
    let a: Int
    let b: Int
}

let add = FunctionTool(
    name: "add",
    description: "Adds two integers.",
    parameters: #"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}}}"#
) { (numbers: Numbers) in String(numbers.a + numbers.b) }

let model = ScriptedModel(
    responses: [
        ScriptedResponse(items: [.functionCall(name: "add", arguments: #"{"a":2,"b":3}"#)]),
        ScriptedResponse(items: [.message(text: "5")]),
        ScriptedResponse(items: [.message(text: "streamed")]),
    ],
    eventDelayMs: nil
)
let codex = try Codex(
    options: CodexOptions(builtinTools: false),
    tools: [add],
    approvalHandler: ApprovalCallback { _ in .denied },
    modelClient: model
)
let conversation = try await codex.startConversation()

// A turn from another task: the conversation and its result cross task boundaries.
let result = try await Task { try await conversation.run("add 2 and 3") }.value
var text = ""
for try await event in conversation.stream("again") {
    if case let .agentMessageDelta(delta) = event.msg { text += delta.delta }
}
try await conversation.shutdown()
guard result.finalMessage == "5", text == "streamed" else {
    print("swift6-client: unexpected \(String(describing: result.finalMessage)) / \(text)")
    exit(1)
}
print("swift6-client: ok (Swift 6 language mode)")
