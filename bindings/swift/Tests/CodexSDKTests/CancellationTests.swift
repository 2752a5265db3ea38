import XCTest
@testable import CodexSDK

final class CancellationTests: XCTestCase {
    private let long = (0..<300).map { "w\($0)" }.joined(separator: " ")

    func testCancellingTheTaskInterruptsRun() async throws {
        let conversation = try await codex(scripted([text(long)], [text("after")], eventDelayMs: 5))
            .startConversation()

        let running = Task { try await conversation.run("talk") }
        try await Task.sleep(nanoseconds: 100_000_000)
        running.cancel()

        do {
            _ = try await running.value
            XCTFail("expected an interruption")
        } catch CodexError.Interrupted {
        }
        let next = try await conversation.run("again")
        XCTAssertEqual(next.finalMessage, "after")
    }

    func testBreakingOutOfTheStreamInterruptsTheTurn() async throws {
        let conversation = try await codex(scripted([text(long)], [text("next")], eventDelayMs: 5))
            .startConversation()

        for try await event in conversation.stream("talk") {
            if case .agentMessageDelta = event.msg { break }
        }

        let messages = try await collect(conversation.stream("again"))
        guard case .taskStarted = messages.first else { return XCTFail("leftovers: \(messages.prefix(2))") }
        XCTAssertEqual(lastMessage(messages), "next")
    }

    func testInterruptAbortsTheRunningTurn() async throws {
        let conversation = try await codex(scripted([text(long)], [text("after")], eventDelayMs: 5))
            .startConversation()

        // Interrupt once, at the first delta, from inside the loop (the turn's own events come first:
        // taskStarted, userMessage, rawResponseItem, so no position is assumed).
        var messages: [EventMsg] = []
        var interrupted = false
        for try await event in conversation.stream("talk") {
            messages.append(event.msg)
            if case .agentMessageDelta = event.msg, !interrupted {
                interrupted = true
                try await conversation.interrupt()
            }
        }

        XCTAssertTrue(interrupted, "no delta before the end: \(messages.prefix(4))")
        guard case let .turnAborted(aborted)? = messages.last else { return XCTFail("\(messages.last as Any)") }
        XCTAssertEqual(aborted.reason, .interrupted)
        XCTAssertLessThan(deltas(messages).split(separator: " ").count, 300, "the whole answer streamed")
        let next = try await conversation.run("again")
        XCTAssertEqual(next.finalMessage, "after")
    }

    func testShuttingTheCodexDownEndsTheRunningTurnWithTurnAborted() async throws {
        let host = try codex(scripted([text(long)], eventDelayMs: 5))
        let conversation = try await host.startConversation()

        var messages: [EventMsg] = []
        var shut = false
        for try await event in conversation.stream("talk") {
            messages.append(event.msg)
            if case .agentMessageDelta = event.msg, !shut {
                shut = true
                try await host.shutdown()
            }
        }

        XCTAssertTrue(shut, "no delta before the end: \(messages.prefix(4))")
        guard case .turnAborted? = messages.last else { return XCTFail("\(messages.last as Any)") }
    }

    func testInterruptFromAnotherTaskFailsRunWithInterrupted() async throws {
        let conversation = try await codex(scripted([text(long)], eventDelayMs: 5)).startConversation()

        let running = Task { try await conversation.run("talk") }
        try await Task.sleep(nanoseconds: 100_000_000)
        try await conversation.interrupt()

        do {
            _ = try await running.value
            XCTFail("expected an interruption")
        } catch CodexError.Interrupted {
        }
    }

    func testATaskCancelledBeforeRunSendsNothing() async throws {
        let model = scripted([text("never asked")])
        let conversation = try await codex(model).startConversation()

        let running = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await conversation.run("talk")
        }

        do {
            _ = try await running.value
            XCTFail("expected an interruption")
        } catch CodexError.Interrupted {
        }
        try await Task.sleep(nanoseconds: 50_000_000)
        XCTAssertEqual(model.remaining(), 1, "the model was asked")
    }

    func testCancellingTheTaskThatIteratesTheStreamInterruptsTheTurn() async throws {
        let conversation = try await codex(scripted([text(long)], [text("next")], eventDelayMs: 5))
            .startConversation()
        let (started, sawDelta) = AsyncStream.makeStream(of: Void.self)

        let reading = Task {
            defer { sawDelta.finish() } // never leaves the wait below hanging
            var messages: [EventMsg] = []
            for try await event in conversation.stream("talk") {
                messages.append(event.msg)
                if case .agentMessageDelta = event.msg { sawDelta.yield() }
            }
            return messages
        }
        for await _ in started { break }
        reading.cancel()

        // The stream ends early (nil after close) or with the cancellation; never with taskComplete.
        if let messages = try? await reading.value, case .taskComplete? = messages.last {
            XCTFail("the turn ran to its end")
        }
        let messages = try await collect(conversation.stream("again"))
        guard case .taskStarted = messages.first else { return XCTFail("leftovers: \(messages.prefix(2))") }
        XCTAssertEqual(lastMessage(messages), "next")
    }

    func testCancellingTheTaskStopsEvents() async throws {
        let conversation = try await codex(scripted()).startConversation()

        let waiting = Task {
            var seen = 0
            // sessionConfigured, then nothing: no input is sent.
            for try await _ in conversation.events() { seen += 1 }
            return seen
        }
        try await Task.sleep(nanoseconds: 50_000_000)
        waiting.cancel()

        do {
            let seen = try await waiting.value
            XCTFail("events() ended by itself after \(seen) events")
        } catch CodexError.Interrupted {
        }
    }
}
