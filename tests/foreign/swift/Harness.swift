// Minimal test harness for the Swift binding tests (no XCTest).
//
// Add tests by creating a file in this directory with a top-level, column-0 declaration
//     let fooTests: [TestCase] = [ test("name") { ... }, ... ]
// (name ending in `Tests`). run-swift.sh finds these declarations and generates the list of
// suites (Suites.swift), so nothing else needs editing. Bodies are `async throws` closures.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct TestCase {
    let name: String
    let body: () async throws -> Void
}

func test(_ name: String, _ body: @escaping () async throws -> Void) -> TestCase {
    TestCase(name: name, body: body)
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
}

func fail(_ message: String, file: StaticString = #fileID, line: UInt = #line) -> TestFailure {
    TestFailure(description: "\(message) (\(file):\(line))")
}

func assertTrue(_ condition: Bool, _ message: @autoclosure () -> String = "assertion failed",
                file: StaticString = #fileID, line: UInt = #line) throws {
    if !condition { throw fail(message(), file: file, line: line) }
}

func assertEqual<T: Equatable>(_ expected: T, _ actual: T, _ what: String = "value",
                               file: StaticString = #fileID, line: UInt = #line) throws {
    if expected != actual { throw fail("\(what): expected <\(expected)>, got <\(actual)>", file: file, line: line) }
}

/// Runs `body` and returns the error it throws, cast to `E`; fails if nothing or another type is thrown.
@discardableResult
func assertThrows<E: Error>(_ type: E.Type, file: StaticString = #fileID, line: UInt = #line,
                            _ body: () async throws -> Void) async throws -> E {
    do {
        try await body()
    } catch let e as E {
        return e
    } catch {
        throw fail("expected \(E.self), got \(error)", file: file, line: line)
    }
    throw fail("expected \(E.self), nothing was thrown", file: file, line: line)
}

/// Environment given by the runner.
enum TestEnv {
    /// Base URL of the reference backend, e.g. http://127.0.0.1:41234 (no trailing slash).
    static var backendURL: String { get throws { try required("VNEID_BACKEND_URL").trimmingSuffix("/") } }
    /// Dev token the backend was started with (for its test-only endpoints).
    static var devToken: String { get throws { try required("VNEID_DEV_TOKEN") } }

    private static func required(_ name: String) throws -> String {
        guard let v = ProcessInfo.processInfo.environment[name], !v.isEmpty else {
            throw TestFailure(description: "environment variable \(name) is not set")
        }
        return v
    }
}

extension String {
    func trimmingSuffix(_ s: String) -> String {
        var r = self
        while r.hasSuffix(s) { r.removeLast(s.count) }
        return r
    }
}

/// Minimal HTTP for tests (FoundationNetworking's URLSession, completion-handler API).
enum HTTP {
    static func request(_ method: String, _ url: String, headers: [String: String] = [:],
                        body: Data? = nil, timeout: TimeInterval = 10) async throws -> (status: Int, body: Data) {
        guard let u = URL(string: url) else { throw TestFailure(description: "bad URL \(url)") }
        var req = URLRequest(url: u, timeoutInterval: timeout)
        req.httpMethod = method
        req.httpBody = body
        for (k, v) in headers { req.setValue(v, forHTTPHeaderField: k) }
        return try await withCheckedThrowingContinuation { cont in
            URLSession.shared.dataTask(with: req) { data, resp, err in
                if let err { cont.resume(throwing: err); return }
                let status = (resp as? HTTPURLResponse)?.statusCode ?? -1
                cont.resume(returning: (status, data ?? Data()))
            }.resume()
        }
    }

    static func get(_ url: String, headers: [String: String] = [:]) async throws -> (status: Int, body: Data) {
        try await request("GET", url, headers: headers)
    }
}

@main
struct ForeignTests {
    /// Usage: tests [SUBSTRING...] runs the tests whose "suite/name" contains any SUBSTRING, ignoring case (all if none).
    static func main() async {
        var filters = Array(CommandLine.arguments.dropFirst())
        if let f = ProcessInfo.processInfo.environment["VNEID_TEST_FILTER"] {
            filters += f.split(separator: ",").map(String.init).filter { !$0.isEmpty }
        }
        var passed = 0, failed = 0
        for (suite, tests) in allSuites {
            for t in tests {
                let full = "\(suite)/\(t.name)"
                if !filters.isEmpty && !filters.contains(where: { full.lowercased().contains($0.lowercased()) }) { continue }
                let start = Date()
                do {
                    try await t.body()
                    print("PASS \(full) (\(Int(Date().timeIntervalSince(start) * 1000)) ms)")
                    passed += 1
                } catch {
                    let msg = String(describing: error).replacingOccurrences(of: "\n", with: " ")
                    print("FAIL \(full): \(msg)")
                    failed += 1
                }
                fflush(stdout)
            }
        }
        if passed + failed == 0 {
            print("no test matched \(filters.joined(separator: ", "))")
            failed = 1
        }
        print("\(passed) passed, \(failed) failed")
        fflush(stdout)
        exit(failed == 0 ? 0 : 1)
    }
}
