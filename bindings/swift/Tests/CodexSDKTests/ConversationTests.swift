import XCTest
@testable import CodexSDK

final class ConversationTests: XCTestCase {
    func testRunReturnsTheFinalMessage() async throws {
        let model = scripted([text("Hello from the script.")])
        let conversation = try await codex(model).startConversation()

        let result = try await conversation.run("Say hello")

        XCTAssertEqual(result.finalMessage, "Hello from the script.")
        XCTAssertGreaterThan(result.usage.totalTokens, 0)
        XCTAssertEqual(model.remaining(), 0)
    }

    func testStreamDeliversTheWholeTurnInOrder() async throws {
        let words = "one two three four five six"
        let conversation = try await codex(scripted([text(words)])).startConversation()

        let messages = try await collect(conversation.stream("count"))

        // A turn stream holds the turn's events only (sessionConfigured belongs to the conversation).
        guard case .taskStarted = messages.first else {
            return XCTFail("unexpected start: \(messages.prefix(2))")
        }
        XCTAssertEqual(deltas(messages), words)
        XCTAssertEqual(lastMessage(messages), words)
    }

    func testTurnsFollowEachOther() async throws {
        let conversation = try await codex(scripted([text("first")], [text("second")])).startConversation()

        let first = try await conversation.run("one")
        let second = try await collect(conversation.stream("two"))

        XCTAssertEqual(first.finalMessage, "first")
        XCTAssertEqual(lastMessage(second), "second")
    }

    func testListenerReceivesTheTurnThenTheEnd() async throws {
        let conversation = try await codex(scripted([text("alpha beta gamma")], eventDelayMs: 1))
            .startConversation()
        let collector = Collector()

        let subscription = try conversation.subscribe(input: "go", listener: collector)
        let error = await collector.ended()

        XCTAssertNil(error)
        XCTAssertEqual(deltas(collector.events), "alpha beta gamma")
        XCTAssertEqual(lastMessage(collector.events), "alpha beta gamma")
        withExtendedLifetime(subscription) {}
    }

    func testSubmitAndEventsDriveATurnWithOps() async throws {
        let conversation = try await codex(scripted([text("via ops")])).startConversation()

        let id = try await conversation.submit(op: .userInput(items: [.text(text: "hi")]))
        var seen: [Event] = []
        for try await event in conversation.events() {
            if case .sessionConfigured = event.msg { continue }
            seen.append(event)
            if case .taskComplete = event.msg { break }
        }

        XCTAssertTrue(seen.allSatisfy { $0.id == id })
        XCTAssertEqual(lastMessage(seen.map(\.msg)), "via ops")
    }

    func testSessionConfiguredCarriesTheConversationId() async throws {
        let conversation = try await codex(scripted()).startConversation()

        XCTAssertEqual(conversation.sessionConfigured().sessionId, conversation.id())
    }

    func testShutdownEndsTheConversationsEvents() async throws {
        let conversation = try await codex(scripted()).startConversation()

        try await conversation.shutdown()

        var seen: [EventMsg] = []
        for try await event in conversation.events() { seen.append(event.msg) }
        XCTAssertTrue(seen.allSatisfy {
            if case .sessionConfigured = $0 { return true }
            if case .shutdownComplete = $0 { return true }
            return false
        }, "\(seen)")
    }

    func testManyConversationsRunAtOnce() async throws {
        let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for i in 0..<8 {
                group.addTask {
                    let conversation = try await codex(scripted([text("answer \(i)")])).startConversation()
                    return (i, try await conversation.run("question \(i)").finalMessage)
                }
            }
            var answers: [Int: String?] = [:]
            for try await (i, answer) in group { answers[i] = answer }
            return answers
        }
        XCTAssertEqual(answers.count, 8)
        for i in 0..<8 { XCTAssertEqual(answers[i] ?? nil, "answer \(i)") }
    }

    func testAListenerThatThrowsStopsAndInterruptsTheTurn() async throws {
        let conversation = try await codex(
            scripted([text("never finished")], [text("next turn")], eventDelayMs: 2)
        ).startConversation()
        let collector = Collector(refusing: "taskStarted")

        let subscription = try conversation.subscribe(input: "go", listener: collector)
        let error = await collector.ended()

        guard case let .Internal(message)? = error else { return XCTFail("\(error as Any)") }
        XCTAssertTrue(message.contains("refused taskStarted"), message)
        XCTAssertNil(lastMessage(collector.events))
        let next = try await conversation.run("again")
        XCTAssertEqual(next.finalMessage, "next turn")
        withExtendedLifetime(subscription) {}
    }

    func testCancellingTheSubscriptionEndsItWithInterrupted() async throws {
        let words = Array(repeating: "word", count: 200).joined(separator: " ")
        let conversation = try await codex(scripted([text(words)], eventDelayMs: 5)).startConversation()
        let collector = Collector()

        let subscription = try conversation.subscribe(input: "talk", listener: collector)
        for _ in 0..<1000 where deltas(collector.events).isEmpty {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTAssertFalse(deltas(collector.events).isEmpty, "no delta in 10 s")
        subscription.cancel()
        let error = await collector.ended()

        guard case .Interrupted? = error else { return XCTFail("\(error as Any)") }
        XCTAssertNil(lastMessage(collector.events))
    }
}
