// Task cancellation of wallet calls (UniFFI 0.32 does not forward it; VneidWallet does) and
// the mapping of a network timeout, against a loopback server that never answers.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import VneidCore
import VneidKit

/// A listening loopback socket that never accepts: connections complete in the kernel backlog
/// and requests wait for an answer that never comes.
final class SilentServer {
    private let fd: Int32
    let url: String

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw fail("socket() failed") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { close(fd); throw fail("bind/listen failed") }
        self.fd = fd
        url = "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))"
    }

    deinit { close(fd) }
}

private func walletAt(_ url: String, timeout: UInt32) throws -> VneidWallet {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vneid-ios-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try VneidWallet(
        config: WalletConfig(dataDir: dir.path, backendUrl: url, deviceName: "iOS layer test", platform: .ios,
                             kdfIterations: 1_000, httpTimeoutSeconds: timeout),
        secureArea: try newSoftwareSecureArea(dir: nil))
}

let iosWalletNetworkTests: [TestCase] = [
    test("cancelling a wallet call's Task ends it at once with CancellationError") {
        let c = try await DevBackend.freshCitizen()
        let server = try SilentServer()
        let wallet = try walletAt(server.url, timeout: 30)
        let input = ActivationInput(idNumber: c.idNumber, phone: c.phone, dateOfBirth: c.dateOfBirth, email: nil)
        let started = Date()
        let task = Task { try await wallet.startActivation(input) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let result = await task.result
        let elapsed = Date().timeIntervalSince(started)
        guard case let .failure(error) = result else { throw fail("the call completed") }
        try assertTrue(error is CancellationError, "got \(error)")
        try assertTrue(elapsed < 5, "cancellation took \(elapsed) s (the HTTP timeout is 30 s)")
        try assertEqual(WalletState.notActivated, try wallet.state(), "state after the cancelled call")
        withExtendedLifetime(server) {}
    },

    test("a backend that never answers gives .network(networkTimeout), retryable") {
        let c = try await DevBackend.freshCitizen()
        let server = try SilentServer()
        let wallet = try walletAt(server.url, timeout: 1)
        let e = try await assertThrows(VneidKitError.self) {
            _ = try await wallet.startActivation(ActivationInput(idNumber: c.idNumber, phone: c.phone,
                                                                 dateOfBirth: c.dateOfBirth, email: nil))
        }
        guard case .network = e else { throw fail("expected .network, got \(e)") }
        try assertEqual(ErrorCode.networkTimeout, e.code, "code")
        try assertTrue(e.isRetryable, "network errors are retryable")
        withExtendedLifetime(server) {}
    },
]
