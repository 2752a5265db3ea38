import XCTest
@testable import CodexSDK

final class ErrorTests: XCTestCase {
    func testAFailedTurnThrowsItsCode() async throws {
        // The script has run out: the model request fails with an internal error.
        let conversation = try await codex(scripted()).startConversation()

        do {
            _ = try await conversation.run("hello?")
            XCTFail("expected an error")
        } catch CodexError.Internal(let message) {
            XCTAssertTrue(message.contains("no response left"), message)
        }
    }

    func testAClosedConversationThrowsClosed() async throws {
        let conversation = try await codex(scripted()).startConversation()
        try await conversation.shutdown()

        do {
            _ = try await conversation.run("anyone?")
            XCTFail("expected closed")
        } catch CodexError.Closed {
        }
    }

    func testABadSettingIsInvalidInput() throws {
        XCTAssertThrowsError(try codex(scripted(), options: CodexOptions(configOverrides: ["no equals sign"]))) { error in
            guard case CodexError.InvalidInput = error else { return XCTFail("\(error)") }
        }
    }

    func testHTTP401IsUnauthorized() async throws {
        let server = try await MockServer.start()
        server.enqueue(response: MockResponse.status(code: 401, body: #"{"error":{"message":"bad key"}}"#))
        let conversation = try await Codex(options: CodexOptions(apiKey: "sk-wrong", baseUrl: server.baseUrl()))
            .startConversation()

        do {
            _ = try await conversation.run("hi")
            XCTFail("expected unauthorized")
        } catch CodexError.Unauthorized(let message) {
            XCTAssertTrue(message.contains("401"), message)
        }
    }

    func testATextTurnOverHTTP() async throws {
        let server = try await MockServer.start()
        server.enqueue(response: try MockResponse.sse(events: sseTextResponse(responseId: "resp_1", text: "Hello over HTTP.")))
        let conversation = try await Codex(options: CodexOptions(apiKey: "sk-test", baseUrl: server.baseUrl()))
            .startConversation()

        let result = try await conversation.run("hi")

        XCTAssertEqual(result.finalMessage, "Hello over HTTP.")
        XCTAssertEqual(server.requests().first?.path, "/v1/responses")
    }
}
