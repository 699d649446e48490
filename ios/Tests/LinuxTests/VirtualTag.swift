// Test doubles: a TagLink over the virtual CCCD of fixtures/chip, behaving like an
// NFCISO7816Tag in one reader session (the session can end after some commands).
import Foundation
import VneidCore
import VneidKit

final class VirtualTag: TagLink {
    private let chip: VirtualChip
    private let endAfter: Int?
    private let failure: TagFailure
    private let delay: TimeInterval
    private let counter: Counter
    private var sent = 0
    private var ended = false

    /// After `endAfter` commands the session ends with `failure` (the card forgets its session).
    init(_ chip: VirtualChip, endAfter: Int? = nil, failure: TagFailure = .sessionEnded,
         delay: TimeInterval = 0, counter: Counter = Counter()) {
        self.chip = chip
        self.endAfter = endAfter
        self.failure = failure
        self.delay = delay
        self.counter = counter
    }

    func transceive(_ apdu: Data) throws -> Data {
        if ended || (endAfter.map { sent >= $0 } ?? false) {
            if !ended { chip.removeFromField() }
            ended = true
            throw failure
        }
        sent += 1
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        counter.increment()
        return try chip.transceive(apdu: apdu)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

func accessKey(_ c: VirtualCitizen) -> CardAccessKey {
    CardAccessKey(idNumber: c.idNumber, dateOfBirth: c.dateOfBirth, dateOfExpiry: c.dateOfExpiry, documentNumber: nil)
}

func chipReader() throws -> VneidChipReader {
    try VneidChipReader(cscaCertificates: [Data(virtualChipCscaPem().utf8)])
}

func firstCitizen() throws -> VirtualCitizen {
    guard let c = virtualCitizens().first else { throw fail("no virtual citizens") }
    return c
}
