// The iOS package's async chip API on Linux: read, progress stream, cancellation, error
// mapping and the session-resume logic of the CoreNFC transport, against the virtual CCCD.
import Foundation
import VneidCore
import VneidKit

let iosChipTests: [TestCase] = [
    test("the async read verifies the virtual card through the resumable transport") {
        let c = try firstCitizen()
        let transport = ResumableNfcTransport(first: VirtualTag(try VirtualChip(idNumber: c.idNumber)),
                                              extendedLength: true) {}
        try assertEqual(65_546, transport.maxTransceiveLength(), "extended length")
        let id = try await chipReader().read(key: accessKey(c), transport: transport)
        try assertEqual(c.idNumber, id.idNumber, "ID number")
        try assertEqual(c.fullName, id.fullName, "full name")
        try assertEqual(CheckVerdict.passed, id.passiveAuthentication, "passive authentication")
    },

    test("the event stream yields growing progress and ends with exactly one done") {
        let c = try firstCitizen()
        let transport = ResumableNfcTransport(first: VirtualTag(try VirtualChip(idNumber: c.idNumber))) {}
        var progress: [ReadProgress] = []
        var identities: [ChipIdentity] = []
        for try await event in try chipReader().events(key: accessKey(c), transport: transport) {
            switch event {
            case let .progress(p): progress.append(p)
            case let .done(id): identities.append(id)
            }
        }
        try assertTrue(progress.count > 20, "only \(progress.count) progress events for a short-APDU read")
        try assertTrue(zip(progress, progress.dropFirst()).allSatisfy { $1.bytesRead >= $0.bytesRead }, "progress went backwards")
        try assertEqual(1, identities.count, "done events")
        try assertEqual(c.idNumber, identities.first?.idNumber, "identity in done")
        try assertEqual(1.0, progress.last?.fraction, "last fraction")
    },

    test("the progress-only AsyncStream follows the same read") {
        let c = try firstCitizen()
        let reader = try chipReader()
        let transport = ResumableNfcTransport(first: VirtualTag(try VirtualChip(idNumber: c.idNumber))) {}
        var fractions: [Double] = []
        for await p in reader.progress(of: reader.events(key: accessKey(c), transport: transport)) {
            fractions.append(p.fraction)
        }
        try assertTrue(fractions.count > 20 && fractions.last == 1.0, "\(fractions.count) events, last \(fractions.last ?? -1)")
    },

    test("cancelling the task stops the core before the read returns, and the reader still works") {
        let c = try firstCitizen()
        let reader = try chipReader()
        let full = Counter()
        _ = try await reader.read(key: accessKey(c), transport: ResumableNfcTransport(
            first: VirtualTag(try VirtualChip(idNumber: c.idNumber), counter: full)) {})
        let sent = Counter()
        let transport = ResumableNfcTransport(
            first: VirtualTag(try VirtualChip(idNumber: c.idNumber), delay: 0.003, counter: sent)) {}
        let task = Task { try await reader.read(key: accessKey(c), transport: transport) }
        while sent.value < 5 { try await Task.sleep(nanoseconds: 2_000_000) }
        task.cancel()
        let result = await task.result
        let atReturn = sent.value
        try await Task.sleep(nanoseconds: 300_000_000)
        try assertEqual(atReturn, sent.value, "APDUs after the cancelled read returned")
        guard case let .failure(error) = result else { throw fail("the read completed instead of being cancelled") }
        try assertTrue(error is CancellationError, "got \(error)")
        try assertTrue(atReturn < full.value / 2, "\(atReturn) of \(full.value) APDUs: the core was not stopped")
        let again = try await reader.read(key: accessKey(c), transport: ResumableNfcTransport(
            first: VirtualTag(try VirtualChip(idNumber: c.idNumber))) {})
        try assertEqual(CheckVerdict.passed, again.passiveAuthentication, "read after a cancelled one")
    },

    test("an ended reader session starts a new one and the core resumes the read") {
        let c = try firstCitizen()
        let chip = try VirtualChip(idNumber: c.idNumber)
        let box = TransportBox()
        let transport = ResumableNfcTransport(first: VirtualTag(chip, endAfter: 12)) {
            // What CoreNFCTransport does: begin a new NFCTagReaderSession, connect, offer.
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { box.transport?.offer(VirtualTag(chip)) }
        }
        box.transport = transport
        let id = try await chipReader().read(key: accessKey(c), transport: transport)
        try assertEqual(1, Int(id.reconnects), "reconnects counted by the core")
        try assertEqual(1, transport.resumedSessions, "new sessions started")
        try assertEqual(CheckVerdict.passed, id.passiveAuthentication, "passive authentication after resume")
    },

    test("no new session in time ends the read with a resumable chipLost") {
        let c = try firstCitizen()
        let transport = ResumableNfcTransport(first: VirtualTag(try VirtualChip(idNumber: c.idNumber), endAfter: 5),
                                              reconnectTimeout: 0.2) {}
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await chipReader().read(key: accessKey(c), transport: transport)
        }
        guard case .chip = e else { throw fail("expected .chip, got \(e)") }
        try assertEqual(ErrorCode.chipLost, e.code, "code")
        try assertTrue(e.canResume && e.isRetryable, "chipLost is resumable")
    },

    test("the citizen cancelling the NFC sheet ends the read as .cancelled, without a resume") {
        let c = try firstCitizen()
        let transport = ResumableNfcTransport(
            first: VirtualTag(try VirtualChip(idNumber: c.idNumber), endAfter: 5, failure: .userCancelled)) {}
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await chipReader().read(key: accessKey(c), transport: transport)
        }
        guard case .cancelled = e else { throw fail("expected .cancelled, got \(e)") }
        try assertEqual(ErrorCode.cancelled, e.code, "code")
        try assertTrue(!e.canResume && !e.isRetryable, "a cancel is not offered as 'try again'")
        try assertEqual(0, transport.resumedSessions, "no new session after a user cancel")
        try assertTrue(transport.endedByUser, "the transport knows the citizen ended it")
    },

    test("the citizen closing the new session's sheet while the read waits for the card ends it as .cancelled at once") {
        let c = try firstCitizen()
        let box = TransportBox()
        // CoreNFCTransport's delegate calls endByUser() on readerSessionInvalidationErrorUserCanceled.
        let transport = ResumableNfcTransport(
            first: VirtualTag(try VirtualChip(idNumber: c.idNumber), endAfter: 5, failure: .sessionEnded),
            reconnectTimeout: 20) {
            DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { box.transport?.endByUser() }
        }
        box.transport = transport
        let start = Date()
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await chipReader().read(key: accessKey(c), transport: transport)
        }
        guard case .cancelled = e else { throw fail("expected .cancelled, got \(e)") }
        try assertTrue(Date().timeIntervalSince(start) < 5, "ended without waiting for the reconnect timeout")
        try assertEqual(1, transport.resumedSessions, "one new session was asked for")
    },

    test("a card lost without the citizen cancelling still ends as chipLost") {
        let c = try firstCitizen()
        let transport = ResumableNfcTransport(
            first: VirtualTag(try VirtualChip(idNumber: c.idNumber), endAfter: 5, failure: .tagLost),
            reconnectTimeout: 0.2) {}
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await chipReader().read(key: accessKey(c), transport: transport)
        }
        try assertEqual(ErrorCode.chipLost, e.code, "code")
        try assertTrue(!transport.endedByUser, "not ended by the citizen")
    },

    test("wrong card dates throw .chip(chipAccessDenied) with readable messages") {
        let c = try firstCitizen()
        let wrong = CardAccessKey(idNumber: c.idNumber, dateOfBirth: c.dateOfBirth, dateOfExpiry: "991231", documentNumber: nil)
        let transport = ResumableNfcTransport(first: VirtualTag(try VirtualChip(idNumber: c.idNumber))) {}
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await chipReader().read(key: wrong, transport: transport)
        }
        try assertEqual(ErrorCode.chipAccessDenied, e.code, "code")
        try assertTrue(!e.canResume, "access denied is not resumable")
        try assertEqual(e.details.messageVi, e.message(for: Locale(identifier: "vi_VN")), "Vietnamese message")
        try assertEqual(e.details.messageEn, e.message(for: Locale(identifier: "en_US")), "English message")
        try assertEqual(e.details.messageVi, e.errorDescription.map { _ in e.message(for: Locale(identifier: "vi")) }, "LocalizedError")
    },

    test("tag failures map to what the core resumes from") {
        try assertEqual(NfcError.TagLost, TagFailure.tagLost.nfcError, "tag lost")
        try assertEqual(NfcError.TagLost, TagFailure.sessionEnded.nfcError, "session timeout")
        try assertEqual(NfcError.Timeout, TagFailure.timeout.nfcError, "timeout")
        guard case .Other = TagFailure.userCancelled.nfcError else { throw fail("user cancel must not resume") }
    },
]

/// Lets the session-start closure reach the transport it belongs to.
final class TransportBox: @unchecked Sendable {
    var transport: ResumableNfcTransport?
}
