// The reference backend's dev-only endpoints: seeded citizens and the SMS outbox.
import Foundation
import VneidCore

struct Citizen {
    let idNumber: String
    let fullName: String
    let dateOfBirth: String
    let phone: String
}

enum DevBackend {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [Citizen]? = nil
    nonisolated(unsafe) private static var next = 0

    private static func get(_ path: String) async throws -> Any {
        let (status, body) = try await HTTP.get(try TestEnv.backendURL + path,
                                                headers: ["x-dev-token": try TestEnv.devToken])
        try assertEqual(200, status, "GET \(path) status")
        return try JSONSerialization.jsonObject(with: body)
    }

    /// Every seeded citizen the dev endpoint lists (first 200), fetched once.
    private static func seeded() async throws -> [Citizen] {
        if lock.withLock({ cache == nil }) {
            guard let list = try await get("/v1/dev/citizens?count=200") as? [[String: Any]] else {
                throw TestFailure(description: "citizens: not a JSON array")
            }
            let parsed = list.compactMap { o -> Citizen? in
                guard let id = o["id_number"] as? String, let name = o["full_name"] as? String,
                      let dob = o["date_of_birth"] as? String, let phone = o["phone"] as? String else { return nil }
                return Citizen(idNumber: id, fullName: name, dateOfBirth: dob, phone: phone)
            }
            lock.withLock { if cache == nil { cache = parsed } }
        }
        return lock.withLock { cache ?? [] }
    }

    /// A seeded citizen no other test in this run has used (activation starts are rate limited).
    /// Citizens whose virtual chip card exists are kept for the level-2 tests (Level2Tests.swift).
    static func freshCitizen() async throws -> Citizen {
        let chipIds = Set(virtualCitizens().map { $0.idNumber })
        let list = try await seeded().filter { !chipIds.contains($0.idNumber) }
        return try lock.withLock {
            guard next < list.count else { throw TestFailure(description: "ran out of citizens") }
            defer { next += 1 }
            return list[next]
        }
    }

    /// The seeded citizen with this ID number (one with a virtual chip card, for level 2).
    static func chipCitizen(_ idNumber: String) async throws -> Citizen {
        guard let c = try await seeded().first(where: { $0.idNumber == idNumber }) else {
            throw TestFailure(description: "\(idNumber) is not seeded")
        }
        return c
    }

    /// The newest OTP the dev SMS gateway sent to `phone`.
    static func latestOtp(_ phone: String) async throws -> String {
        let encoded = phone.replacingOccurrences(of: "+", with: "%2B")
        guard let messages = try await get("/v1/dev/sms-outbox?phone=\(encoded)") as? [[String: Any]],
              let body = messages.last?["body"] as? String else {
            throw TestFailure(description: "no SMS to \(phone)")
        }
        guard let range = body.range(of: #"\b\d{6}\b"#, options: .regularExpression) else {
            throw TestFailure(description: "no 6-digit code in '\(body)'")
        }
        return String(body[range])
    }
}
