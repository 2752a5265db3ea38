import XCTest
@testable import CodexSDK

final class ToolTests: XCTestCase {
    func testTheModelCallsASwiftToolAndSeesItsOutput() async throws {
        let model = scripted([call("add", #"{"a":2,"b":40}"#)], [text("It is 42.")])
        let conversation = try await codex(model, tools: [addTool()]).startConversation()

        let messages = try await collect(conversation.stream("What is 2 + 40?"))

        let end = try XCTUnwrap(toolEnds(messages).first)
        XCTAssertEqual(end.tool, "add")
        XCTAssertEqual(end.output, "42")
        XCTAssertTrue(end.success)
        XCTAssertEqual(lastMessage(messages), "It is 42.")
    }

    func testAThrownToolErrorIsToldToTheModelAndTheTurnGoesOn() async throws {
        let lookup = FunctionTool(name: "lookup", description: "Finds a record.", parameters: #"{"type":"object"}"#) { (_: String) in
            throw ToolError.Failed(message: "no such record")
        }
        let model = scripted([call("lookup", "{}")], [text("Sorry, not found.")])
        let conversation = try await codex(model, tools: [lookup]).startConversation()

        let messages = try await collect(conversation.stream("find it"))

        let end = try XCTUnwrap(toolEnds(messages).first)
        XCTAssertEqual(end.output, "no such record")
        XCTAssertFalse(end.success)
        XCTAssertEqual(lastMessage(messages), "Sorry, not found.")
    }

    func testAnyOtherThrownErrorIsToldToTheModelToo() async throws {
        struct DiskOnFire: Error {}
        let flaky = FunctionTool(name: "flaky", description: "Fails.", parameters: #"{"type":"object"}"#) { (_: String) in
            throw DiskOnFire()
        }
        let model = scripted([call("flaky", "{}")], [text("It failed.")])
        let conversation = try await codex(model, tools: [flaky]).startConversation()

        let messages = try await collect(conversation.stream("try"))

        let end = try XCTUnwrap(toolEnds(messages).first)
        XCTAssertFalse(end.success)
        XCTAssertTrue(end.output.contains("DiskOnFire"), end.output)
        XCTAssertEqual(lastMessage(messages), "It failed.")
    }

    func testAFatalToolErrorEndsTheTurn() async throws {
        let guardTool = FunctionTool(name: "guard", description: "Refuses.", parameters: #"{"type":"object"}"#) { (_: String) in
            throw ToolError.Fatal(message: "policy violation")
        }
        let conversation = try await codex(scripted([call("guard", "{}")]), tools: [guardTool]).startConversation()

        do {
            _ = try await conversation.run("go")
            XCTFail("expected a tool error")
        } catch CodexError.Tool(let message) {
            XCTAssertTrue(message.contains("policy violation"), message)
        }
    }

    func testDuplicateToolsAreInvalidInput() throws {
        XCTAssertThrowsError(try codex(scripted(), tools: [addTool(), addTool()])) { error in
            guard case CodexError.InvalidInput = error else { return XCTFail("\(error)") }
        }
    }

    func testToolsRegisterAndUnregisterBetweenTurns() async throws {
        let model = scripted([call("add", #"{"a":1,"b":1}"#)], [text("2")])
        let conversation = try await codex(model).startConversation()

        try conversation.registerTool(tool: addTool())
        XCTAssertEqual(conversation.toolNames(), ["add"])
        let messages = try await collect(conversation.stream("1 + 1?"))
        XCTAssertEqual(toolEnds(messages).first?.output, "2")
        XCTAssertEqual(lastMessage(messages), "2")
        XCTAssertTrue(conversation.unregisterTool(name: "add"))
        XCTAssertEqual(conversation.toolNames(), [])
    }

    func testABadSchemaIsInvalidInput() throws {
        let bad = FunctionTool(name: "bad", description: "Bad schema.", parameters: "{not json") { (_: String) in "" }
        XCTAssertThrowsError(try codex(scripted(), tools: [bad])) { error in
            guard case CodexError.InvalidInput = error else { return XCTFail("\(error)") }
        }
    }
}
