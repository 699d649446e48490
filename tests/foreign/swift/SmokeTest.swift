// Smoke tests: the library loads, a plain export answers, the backend is up.
import Foundation
import VneidCore

let smokeTests: [TestCase] = [
    test("core version is non-empty") {
        let v = coreVersion()
        try assertTrue(!v.isEmpty, "coreVersion() returned '\(v)'")
        try assertTrue(v.split(separator: ".").count >= 3, "coreVersion() is not a semver: '\(v)'")
    },
    test("backend healthz answers 200") {
        let (status, _) = try await HTTP.get("\(try TestEnv.backendURL)/healthz")
        try assertEqual(200, status, "GET /healthz status")
    },
]
