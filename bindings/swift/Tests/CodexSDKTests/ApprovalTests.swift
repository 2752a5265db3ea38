import XCTest
@testable import CodexSDK

final class ApprovalTests: XCTestCase {
    /// The built-in shell asks before `touch` under the `untrusted` policy.
    private func touchTurn(_ decide: @escaping @Sendable (ApprovalRequest) async throws -> ReviewDecision)
        async throws -> (messages: [EventMsg], touched: Bool)
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = scripted([call("shell", #"{"command":["touch","approved.txt"]}"#)], [text("finished")])
        let options = CodexOptions(
            approvalPolicy: .untrusted,
            builtinTools: true,
            cwd: dir.path,
            sandboxPolicy: .string("danger-full-access")
        )
        let conversation = try await codex(model, approvals: ApprovalCallback(decide), options: options)
            .startConversation()
        let messages = try await collect(conversation.stream("touch it"))
        let touched = FileManager.default.fileExists(atPath: dir.appendingPathComponent("approved.txt").path)
        return (messages, touched)
    }

    func testAnApprovedCommandRuns() async throws {
        let (messages, touched) = try await touchTurn { request in
            guard case let .exec(exec) = request else { return .denied }
            XCTAssertEqual(exec.command, ["touch", "approved.txt"])
            return .approved
        }
        XCTAssertTrue(touched)
        XCTAssertEqual(lastMessage(messages), "finished")
    }

    func testADeniedCommandDoesNotRunAndTheTurnGoesOn() async throws {
        let (messages, touched) = try await touchTurn { _ in .denied }
        XCTAssertFalse(touched)
        XCTAssertEqual(lastMessage(messages), "finished")
    }

    func testAHandlerThatThrowsMeansDenied() async throws {
        struct Crashed: Error {}
        let (_, touched) = try await touchTurn { _ in throw Crashed() }
        XCTAssertFalse(touched)
    }

    func testAbortEndsTheTurnAsInterrupted() async throws {
        let (messages, touched) = try await touchTurn { _ in .abort }
        XCTAssertFalse(touched)
        guard case let .turnAborted(aborted)? = messages.last else { return XCTFail("\(messages.last as Any)") }
        XCTAssertEqual(aborted.reason, .interrupted)
    }
}
