// Helpers of the XCTest suite (the same scenarios as the Python proof suite in ../../tests).
import Foundation
import XCTest
@testable import CodexSDK

func scripted(_ responses: [ScriptedItem]..., eventDelayMs: UInt64? = nil) -> ScriptedModel {
    ScriptedModel(responses: responses.map { ScriptedResponse(items: $0) }, eventDelayMs: eventDelayMs)
}

func text(_ text: String) -> ScriptedItem { .message(text: text) }

func call(_ name: String, _ arguments: String) -> ScriptedItem {
    .functionCall(name: name, arguments: arguments)
}

/// A `Codex` on a scripted model, without built-in tools unless asked.
func codex(
    _ model: ScriptedModel,
    tools: [CodexTool] = [],
    approvals: ApprovalHandler? = nil,
    options: CodexOptions = CodexOptions(builtinTools: false)
) throws -> Codex {
    try Codex(options: options, tools: tools, approvalHandler: approvals, modelClient: model)
}

/// All events of a turn.
func collect(_ stream: AsyncThrowingStream<Event, Error>) async throws -> [EventMsg] {
    var messages: [EventMsg] = []
    for try await event in stream {
        messages.append(event.msg)
    }
    return messages
}

func deltas(_ messages: [EventMsg]) -> String {
    messages.compactMap { msg -> String? in
        if case let .agentMessageDelta(d) = msg { return d.delta }
        return nil
    }.joined()
}

func lastMessage(_ messages: [EventMsg]) -> String? {
    if case let .taskComplete(done)? = messages.last { return done.lastAgentMessage }
    return nil
}

func toolEnds(_ messages: [EventMsg]) -> [ToolCallEndEvent] {
    messages.compactMap { msg -> ToolCallEndEvent? in
        if case let .toolCallEnd(end) = msg { return end }
        return nil
    }
}

/// Adds two integers (`{"a": Int, "b": Int}`).
struct AddArguments: Decodable, Sendable {
    let a: Int
    let b: Int
}

let addSchema = #"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}"#

func addTool() -> FunctionTool {
    FunctionTool(name: "add", description: "Adds two integers.", parameters: addSchema) { (args: AddArguments) in
        String(args.a + args.b)
    }
}

/// Collects a subscription's events; `end` finishes with the end's error.
final class Collector: EventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var received: [EventMsg] = []
    private let refusing: String?
    let end: AsyncStream<CodexError?>
    private let finish: AsyncStream<CodexError?>.Continuation

    /// `refusing`: the event kind (e.g. `taskStarted`) whose delivery throws.
    init(refusing: String? = nil) {
        self.refusing = refusing
        let pair = AsyncStream.makeStream(of: CodexError?.self)
        end = pair.stream
        finish = pair.continuation
    }

    var events: [EventMsg] {
        lock.withLock { received }
    }

    func onEvent(event: Event) async throws {
        if let refusing, "\(event.msg)".hasPrefix(refusing + "(") {
            throw CodexError.Internal(message: "the listener refused \(refusing)")
        }
        lock.withLock { received.append(event.msg) }
    }

    func onEnd(error: CodexError?) async throws {
        finish.yield(error)
        finish.finish()
    }

    func ended() async -> CodexError? {
        for await error in end { return error }
        return nil
    }
}
