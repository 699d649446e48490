// Reading the chip ID card through the generated Swift bindings: a Swift NfcTransport (what the
// CoreNFC NFCISO7816Tag adapter does on an iPhone) in front of the virtual CCCD.
import Foundation
import VneidCore

/// Like an NFCISO7816Tag session: one transceive per APDU; the tag can be lost.
final class SwiftNfcTransport: NfcTransport, @unchecked Sendable {
    private let chip: VirtualChip
    private let maxLength: UInt32
    private let lock = NSLock()
    private var loseAt: Set<Int>
    private var count = 0

    init(_ chip: VirtualChip, maxLength: UInt32, loseTagAt: Set<Int> = []) {
        self.chip = chip
        self.maxLength = maxLength
        self.loseAt = loseTagAt
    }

    var apdus: Int { lock.withLock { count } }

    func transceive(apdu: Data) throws -> Data {
        let lost: Bool = lock.withLock {
            defer { count += 1 }
            return loseAt.remove(count) != nil
        }
        if lost {
            chip.removeFromField()
            throw NfcError.TagLost
        }
        return try chip.transceive(apdu: apdu)
    }

    func maxTransceiveLength() -> UInt32 { maxLength }
}

final class SwiftProgress: ChipReadListener, @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ChipReadProgress] = []
    var all: [ChipReadProgress] { lock.withLock { events } }
    func onProgress(progress: ChipReadProgress) { lock.withLock { events.append(progress) } }
}

private func trustedReader() throws -> ChipReader {
    try ChipReader(cscaCertificates: [Data(virtualChipCscaPem().utf8)])
}

private func key(_ c: VirtualCitizen) -> CardAccessKey {
    CardAccessKey(idNumber: c.idNumber, dateOfBirth: c.dateOfBirth, dateOfExpiry: c.dateOfExpiry, documentNumber: nil)
}

let chipTests: [TestCase] = [
    test("reads and verifies the virtual card through a Swift transport") {
        guard let citizen = virtualCitizens().first else { throw fail("no virtual citizens") }
        let transport = SwiftNfcTransport(try VirtualChip(idNumber: citizen.idNumber), maxLength: 65_546)
        let progress = SwiftProgress()
        let id = try await trustedReader().read(key: key(citizen), transport: transport, listener: progress, checkTime: nil)
        try assertEqual(citizen.idNumber, id.idNumber, "ID number")
        try assertEqual(citizen.fullName, id.fullName, "full name with diacritics")
        try assertEqual(CheckVerdict.passed, id.passiveAuthentication, "passive authentication")
        try assertEqual(CheckVerdict.passed, id.chipAuthentication, "chip authentication")
        try assertEqual(CheckVerdict.passed, id.activeAuthentication, "active authentication")
        try assertEqual("PACE", id.accessProtocol, "access protocol")
        try assertEqual(FaceFormat.jpeg, id.faceFormat, "face format")
        try assertTrue((id.faceImage?.count ?? 0) > 1000, "face image")
        let events = progress.all
        guard let last = events.last else { throw fail("no progress") }
        try assertEqual(last.bytesTotal, last.bytesRead, "last progress event")
        let files = Set(events.map(\.file))
        try assertTrue(files.isSuperset(of: ["EF.COM", "DG1", "DG2", "DG14", "DG15", "EF.SOD"]), "file names: \(files)")
        try assertTrue(zip(events, events.dropFirst()).allSatisfy { $1.fraction >= $0.fraction }, "fraction went backwards")
        try assertEqual(Float(1), last.fraction, "fraction of the last event")
        try assertEqual(UInt32(transport.apdus), id.apdus, "APDUs")
    },

    test("a lost tag mid-read resumes where it stopped") {
        guard let citizen = virtualCitizens().last else { throw fail("no virtual citizens") }
        let transport = SwiftNfcTransport(try VirtualChip(idNumber: citizen.idNumber), maxLength: 261, loseTagAt: [6, 30])
        let id = try await trustedReader().read(key: key(citizen), transport: transport, listener: nil, checkTime: nil)
        try assertEqual(2, id.reconnects, "reconnects")
        try assertEqual(CheckVerdict.passed, id.passiveAuthentication, "passive authentication")
    },

    test("a cloned chip passes passive authentication but fails chip and active authentication") {
        guard let citizen = virtualCitizens().first else { throw fail("no virtual citizens") }
        let transport = SwiftNfcTransport(try VirtualChip.cloned(idNumber: citizen.idNumber), maxLength: 65_546)
        let id = try await trustedReader().read(key: key(citizen), transport: transport, listener: nil, checkTime: nil)
        try assertEqual(citizen.idNumber, id.idNumber, "the copied data reads")
        try assertEqual(CheckVerdict.passed, id.passiveAuthentication, "copied files are genuine")
        guard case let .failed(caReason) = id.chipAuthentication else {
            throw fail("chip authentication: \(id.chipAuthentication)")
        }
        try assertTrue(caReason.contains("DG14"), "CA reason \(caReason)")
        guard case let .failed(aaReason) = id.activeAuthentication else {
            throw fail("active authentication: \(id.activeAuthentication)")
        }
        try assertTrue(aaReason.contains("DG15"), "AA reason \(aaReason)")
    },

    test("the card access number opens the chip with PACE") {
        guard let citizen = virtualCitizens().first else { throw fail("no virtual citizens") }
        let byCan = CardAccessKey(idNumber: "", dateOfBirth: "", dateOfExpiry: "", documentNumber: nil, can: citizen.can)
        let transport = SwiftNfcTransport(try VirtualChip(idNumber: citizen.idNumber), maxLength: 65_546)
        let id = try await trustedReader().read(key: byCan, transport: transport, listener: nil, checkTime: nil)
        try assertEqual(citizen.fullName, id.fullName, "full name")
        try assertEqual(CheckVerdict.passed, id.chipAuthentication, "chip authentication")
    },

    test("any document number with the dates opens the chip; a mistyped MRZ text is refused") {
        guard let citizen = virtualCitizens().first else { throw fail("no virtual citizens") }
        // The CCCD's document number is the last 9 digits of the ID number.
        let byNumber = CardAccessKey(idNumber: "", dateOfBirth: citizen.dateOfBirth, dateOfExpiry: citizen.dateOfExpiry,
                                     documentNumber: String(citizen.idNumber.dropFirst(3)))
        let transport = SwiftNfcTransport(try VirtualChip(idNumber: citizen.idNumber), maxLength: 65_546)
        let id = try await trustedReader().read(key: byNumber, transport: transport, listener: nil, checkTime: nil)
        try assertEqual(citizen.fullName, id.fullName, "full name")
        // Doc 9303 Part 4 specimen passport with its document number's check digit changed.
        let mistyped = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C46UTO7408122F1204159ZE184226B<<<<<10"
        let key = CardAccessKey(idNumber: "", dateOfBirth: "", dateOfExpiry: "", documentNumber: nil, mrz: mistyped)
        let other = SwiftNfcTransport(try VirtualChip(idNumber: citizen.idNumber), maxLength: 65_546)
        let e = try await assertThrows(VneidError.self) {
            _ = try await trustedReader().read(key: key, transport: other, listener: nil, checkTime: nil)
        }
        guard case let .Chip(code, _, _) = e else { throw fail("not a Chip error: \(e)") }
        try assertEqual(ErrorCode.chipAccessInputInvalid, code, "code")
    },

    test("wrong dates are refused by the chip with a Chip error") {
        guard let citizen = virtualCitizens().first else { throw fail("no virtual citizens") }
        let wrong = CardAccessKey(idNumber: citizen.idNumber, dateOfBirth: citizen.dateOfBirth,
                                  dateOfExpiry: "991231", documentNumber: nil)
        let transport = SwiftNfcTransport(try VirtualChip(idNumber: citizen.idNumber), maxLength: 65_546)
        let e = try await assertThrows(VneidError.self) {
            _ = try await trustedReader().read(key: wrong, transport: transport, listener: nil, checkTime: nil)
        }
        guard case let .Chip(code, _, _) = e else { throw fail("not a Chip error: \(e)") }
        try assertEqual(ErrorCode.chipAccessDenied, code, "code")
    },
]
