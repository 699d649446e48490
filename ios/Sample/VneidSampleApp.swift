// A one-screen SwiftUI sample over VneidKit: activation, reading the CCCD chip over NFC with
// a progress bar, and showing the identity-check QR. Source sample: add it to an iOS app target
// that depends on the VneidKit product (see ios/README.md for entitlements and Info.plist).
#if canImport(SwiftUI) && canImport(CoreNFC)
import CoreGraphics
import SwiftUI
import VneidCore
import VneidKit

@main
struct VneidSampleApp: App {
    var body: some Scene {
        WindowGroup { ContentView(model: SampleModel()) }
    }
}

@MainActor
final class SampleModel: ObservableObject {
    @Published var status = ""
    @Published var progress: Double?
    @Published var qr: PresentationQr?
    private var readTask: Task<Void, Never>?
    let wallet: VneidWallet?

    init() {
        let dir = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        wallet = try? VneidWallet(
            config: WalletConfig(dataDir: dir.path, backendUrl: "http://192.168.1.10:8080",
                                 deviceName: "iPhone", platform: .ios, kdfIterations: nil, httpTimeoutSeconds: nil),
            secureArea: SecureEnclaveSecureArea())
    }

    /// Runs `body`, showing the citizen-facing message of any failure.
    func act(_ body: @escaping (VneidWallet) async throws -> Void) {
        guard let wallet else { return }
        Task {
            do { try await body(wallet) } catch let e as VneidKitError {
                if case let .otp(_, left, _) = e, let left { status = "\(e.message()) (\(left))" } else { status = e.message() }
            } catch { status = "\(error)" }
        }
    }

    func readChip(_ key: CardAccessKey) {
        guard let pem = Bundle.main.url(forResource: "csca", withExtension: "pem").flatMap({ try? Data(contentsOf: $0) }),
              let reader = try? VneidChipReader(cscaCertificates: [pem]) else { status = "CSCA missing"; return }
        let nfc = CoreNFCTransport()
        readTask = Task {
            do {
                for try await event in reader.events(key: key, transport: nfc.transport) {
                    switch event {
                    case let .progress(p):
                        progress = p.fraction
                        nfc.show(progress: p)
                    case let .done(identity):
                        status = "Đã đọc: \(identity.fullName ?? "")"
                        nfc.finish(message: "Đã đọc xong")
                    }
                }
            } catch let e as VneidKitError {
                status = e.message() + (e.canResume ? " — thử lại" : "")
                nfc.finish(errorMessage: e.message())
            } catch {
                nfc.finish(errorMessage: "Đã huỷ") // CancellationError: the view went away
            }
            progress = nil
        }
    }

    func cancelRead() { readTask?.cancel() }
}

struct ContentView: View {
    @ObservedObject var model: SampleModel
    @State private var id = ""
    @State private var phone = ""
    @State private var birth = "" // YYYY-MM-DD
    @State private var expiry = "" // YYMMDD, printed on the card
    @State private var otp = ""
    @State private var passcode = ""

    var body: some View {
        Form {
            Section("Kích hoạt") {
                TextField("Số CCCD", text: $id)
                TextField("Số điện thoại", text: $phone)
                TextField("Ngày sinh (YYYY-MM-DD)", text: $birth)
                Button("Gửi mã OTP") {
                    model.act { w in
                        let sent = try await w.startActivation(ActivationInput(idNumber: id, phone: phone, dateOfBirth: birth, email: nil))
                        await MainActor.run { model.status = "OTP → \(sent.maskedPhone)" }
                    }
                }
                TextField("Mã OTP", text: $otp)
                SecureField("Mật mã (6 số)", text: $passcode)
                Button("Kích hoạt") {
                    model.act { w in
                        try await w.verifyOtp(otp)
                        _ = try await w.setPasscode(passcode)
                        await MainActor.run { model.status = "Đã kích hoạt" }
                    }
                }
            }
            Section("Chip CCCD") {
                TextField("Ngày hết hạn trên thẻ (YYMMDD)", text: $expiry)
                Button("Đọc chip") {
                    let dob = String(birth.replacingOccurrences(of: "-", with: "").suffix(6))
                    model.readChip(CardAccessKey(idNumber: id, dateOfBirth: dob, dateOfExpiry: expiry, documentNumber: nil))
                }
                if let p = model.progress { ProgressView(value: p) }
                Button("Huỷ", role: .cancel) { model.cancelRead() }
            }
            Section("Mã QR") {
                Button("Hiện mã QR") {
                    model.act { w in
                        _ = try await w.fetchCredentials()
                        let qr = try await w.present(.identityCheck)
                        await MainActor.run { model.qr = qr }
                    }
                }
                if let qr = model.qr, let image = qrImage(qr) {
                    Image(decorative: image, scale: 1).interpolation(.none).resizable().frame(width: 280, height: 280)
                }
            }
            Text(model.status)
        }
    }

    /// The QR's modules as a grayscale image with a 4-module quiet zone.
    private func qrImage(_ qr: PresentationQr) -> CGImage? {
        let w = Int(qr.qrWidth), quiet = 4, side = w + 2 * quiet
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<w { for x in 0..<w where qr.modules[y * w + x] { pixels[(y + quiet) * side + x + quiet] = 0 } }
        guard let provider = CGDataProvider(data: Data(pixels) as CFData) else { return nil }
        return CGImage(width: side, height: side, bitsPerComponent: 8, bitsPerPixel: 8, bytesPerRow: side,
                       space: CGColorSpaceCreateDeviceGray(), bitmapInfo: CGBitmapInfo(rawValue: 0),
                       provider: provider, decode: nil, shouldInterpolate: false, intent: .defaultIntent)
    }
}
#endif
