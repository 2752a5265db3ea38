// The hand-written part of CodexSDK: only what Swift idiom needs on top of the generated bindings
// (Generated/CodexSDK.swift from uniffi, Generated/Protocol.swift from the protocol schema).
//
// - `run(_:)`, `stream(_:)`, `events()`: Swift concurrency over the pull API, where cancelling the calling
//   `Task` (or leaving a `for try await` loop) interrupts the turn. uniffi does not cancel a Rust future when
//   a Swift task is cancelled, so each call carries a `CancelToken` (or closes its `TurnStream`) from
//   `withTaskCancellationHandler`.
// - `FunctionTool`, `ApprovalCallback`: closures as the `CodexTool` and `ApprovalHandler` protocols; a
//   tool's `Task` is cancelled when its turn is interrupted (`ToolContext.waitCancelled()`).
//
// No logic of its own: the SDK decides what a turn is, when it ends and what cancellation does.

import Foundation

extension Conversation {
    /// Runs a turn with `input` and returns its result.
    ///
    /// Cancelling the calling `Task` interrupts the turn; the call then throws `CodexError.Interrupted`.
    /// Throws the turn's error (one `CodexError` case per error code) when it fails.
    public func run(_ input: String) async throws -> TurnResult {
        let token = CancelToken()
        return try await withTaskCancellationHandler {
            try await runTurn(input: input, cancel: token)
        } onCancel: {
            token.cancel()
        }
    }

    /// Starts a turn with `input` and returns its events, ending after the turn's terminal event
    /// (`.taskComplete`, `.turnAborted` or `.error`).
    ///
    /// Leaving the loop early (`break`, a thrown error) or cancelling the consuming `Task` interrupts the
    /// turn. The conversation's next turn starts clean.
    ///
    /// ```swift
    /// for try await event in conversation.stream("Summarize README.md") {
    ///     if case let .agentMessageDelta(delta) = event.msg { print(delta.delta, terminator: "") }
    /// }
    /// ```
    public func stream(_ input: String) -> AsyncThrowingStream<Event, Error> {
        let turn: TurnStream
        do {
            turn = try startTurn(input: input)
        } catch {
            return AsyncThrowingStream<Event, Error> { continuation in continuation.finish(throwing: error) }
        }
        // The stream owns `turn`: when the stream is released (the loop was left), the turn stream is
        // released, which interrupts the turn unless it has ended.
        return AsyncThrowingStream(unfolding: {
            try await withTaskCancellationHandler {
                try await turn.next()
            } onCancel: {
                turn.close()
            }
        })
    }

    /// Every event of the conversation, whatever turn it belongs to, for hosts that drive it with
    /// `submit(op:)`. Ends when the conversation ends; cancelling the consuming `Task` stops the wait.
    public func events() -> AsyncThrowingStream<Event, Error> {
        AsyncThrowingStream(unfolding: { [self] in
            let token = CancelToken()
            return try await withTaskCancellationHandler {
                try await nextEvent(cancel: token)
            } onCancel: {
                token.cancel()
            }
        })
    }
}

/// A host tool from a closure: the model's arguments (JSON text) in, the output the model sees out.
///
/// ```swift
/// let weather = FunctionTool(
///     name: "weather",
///     description: "Current weather for a city.",
///     parameters: #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#
/// ) { (args: WeatherArgs) in "Sunny in \(args.city)" }
/// ```
///
/// A `ToolError.Failed` — or any other error the closure throws — is told to the model as the tool's
/// failed output and the turn goes on; `ToolError.Fatal` ends the turn with `CodexError.Tool`.
public final class FunctionTool: CodexTool {
    private let toolName: String
    private let toolDescription: String
    private let schema: String
    private let handler: @Sendable (String, ToolContext) async throws -> String

    /// A tool whose closure receives the arguments as JSON text and the call's context (call id, cwd,
    /// approvals).
    public init(
        name: String,
        description: String,
        parameters: String,
        call: @escaping @Sendable (String, ToolContext) async throws -> String
    ) {
        self.toolName = name
        self.toolDescription = description
        self.schema = parameters
        self.handler = call
    }

    /// A tool whose closure receives the arguments as JSON text.
    public convenience init(
        name: String,
        description: String,
        parameters: String,
        call: @escaping @Sendable (String) async throws -> String
    ) {
        self.init(name: name, description: description, parameters: parameters) { json, _ in
            try await call(json)
        }
    }

    /// A tool whose closure receives the arguments decoded into `Arguments`. Arguments that do not decode
    /// are told to the model.
    public convenience init<Arguments: Decodable>(
        name: String,
        description: String,
        parameters: String,
        call: @escaping @Sendable (Arguments) async throws -> String
    ) {
        self.init(name: name, description: description, parameters: parameters) { (json: String) in
            let arguments: Arguments
            do {
                arguments = try JSONDecoder().decode(Arguments.self, from: Data(json.utf8))
            } catch {
                throw ToolError.Failed(message: "invalid arguments for `\(name)`: \(error)")
            }
            return try await call(arguments)
        }
    }

    public func name() -> String { toolName }

    public func description() -> String { toolDescription }

    public func parameters() -> String { schema }

    /// Runs the closure in a child `Task`, cancelled when the turn is interrupted.
    public func call(arguments: String, context: ToolContext) async throws -> String {
        let handler = self.handler
        let work = Task { try await handler(arguments, context) }
        let watcher = Task {
            if await context.waitCancelled() { work.cancel() }
        }
        defer { watcher.cancel() }
        return try await work.value
    }
}

/// An approval handler from a closure. Throwing, like an unknown decision, means denied.
///
/// ```swift
/// let approvals = ApprovalCallback { request in
///     guard case let .exec(exec) = request else { return .denied }
///     return await askUser(exec.command) ? .approved : .denied
/// }
/// ```
public final class ApprovalCallback: ApprovalHandler {
    private let handler: @Sendable (ApprovalRequest) async throws -> ReviewDecision

    /// A handler calling `decide` for every request.
    public init(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> ReviewDecision) {
        self.handler = decide
    }

    public func decide(request: ApprovalRequest) async throws -> ReviewDecision {
        try await handler(request)
    }
}
