// One Compose screen over the vneid library: activation, reading the CCCD chip over NFC with
// a progress bar, and showing the identity-check QR. Source sample: not built in CI (needs the
// Android SDK); see android/README.md.
package vn.vneid.sample

import android.graphics.Bitmap
import android.nfc.NfcAdapter
import android.nfc.Tag
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.foundation.Image
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.size
import androidx.compose.material3.Button
import androidx.compose.material3.LinearProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.graphics.FilterQuality
import androidx.compose.ui.graphics.asImageBitmap
import androidx.compose.ui.unit.dp
import androidx.lifecycle.lifecycleScope
import java.util.Locale
import kotlinx.coroutines.Job
import kotlinx.coroutines.launch
import vn.vneid.android.ChipReadEvent
import vn.vneid.android.IsoDepTransport
import vn.vneid.android.KeystoreSecureArea
import vn.vneid.android.ResumableNfcTransport
import vn.vneid.android.VneidChipReader
import vn.vneid.android.VneidException
import vn.vneid.android.VneidWallet
import vn.vneid.core.ActivationInput
import vn.vneid.core.CardAccessKey
import vn.vneid.core.Platform
import vn.vneid.core.PresentationPreset
import vn.vneid.core.PresentationQr
import vn.vneid.core.WalletConfig

class MainActivity : ComponentActivity() {
    private var wallet: VneidWallet? = null
    private var transport: ResumableNfcTransport? = null
    private var readJob: Job? = null
    private val status = mutableStateOf("")
    private val progress = mutableStateOf<Float?>(null)
    private val qr = mutableStateOf<PresentationQr?>(null)

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        lifecycleScope.launch {
            wallet = VneidWallet.open(
                WalletConfig(filesDir.path, BuildConfig.BACKEND_URL, android.os.Build.MODEL, Platform.ANDROID, null, null),
                KeystoreSecureArea(this@MainActivity, userAuthenticationSeconds = null),
            )
        }
        setContent { MaterialTheme { Screen() } }
    }

    override fun onDestroy() {
        wallet?.close()
        super.onDestroy()
    }

    /** Runs [block], showing the citizen-facing message of any failure. */
    private fun act(block: suspend (VneidWallet) -> Unit) {
        val w = wallet ?: return
        lifecycleScope.launch {
            try {
                block(w)
            } catch (e: VneidException) {
                status.value = e.messageFor(Locale.getDefault()) +
                    ((e as? VneidException.Otp)?.attemptsLeft?.let { " ($it)" } ?: "")
            }
        }
    }

    /** Reader mode while a read runs: the first discovery starts it, later ones resume it. */
    private fun startChipRead(key: CardAccessKey) {
        val reader = VneidChipReader(listOf(assets.open("csca.pem").readBytes()))
        status.value = "Đặt thẻ CCCD vào mặt sau điện thoại"
        NfcAdapter.getDefaultAdapter(this)?.enableReaderMode(this, { tag: Tag ->
            val current = transport
            if (current != null) {
                IsoDepTransport.link(tag)?.let(current::offer)
                return@enableReaderMode
            }
            val t = IsoDepTransport.from(tag) ?: return@enableReaderMode
            transport = t
            // lifecycleScope: leaving the screen cancels the read, and the core stops at once.
            readJob = lifecycleScope.launch {
                try {
                    reader.readWithProgress(key, t).collect { event ->
                        when (event) {
                            is ChipReadEvent.Progress -> progress.value = event.progress.fraction
                            is ChipReadEvent.Done -> status.value = "Đã đọc: ${event.identity.fullName}"
                        }
                    }
                } catch (e: VneidException) {
                    status.value = e.messageFor() + if (e is VneidException.Chip && e.canResume) " — thử lại" else ""
                } finally {
                    progress.value = null
                    transport = null
                    t.close()
                    NfcAdapter.getDefaultAdapter(this@MainActivity)?.disableReaderMode(this@MainActivity)
                }
            }
        }, NfcAdapter.FLAG_READER_NFC_A or NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK, null)
    }

    @Composable
    private fun Screen() {
        var id by remember { mutableStateOf("") }
        var phone by remember { mutableStateOf("") }
        var birth by remember { mutableStateOf("") } // YYYY-MM-DD
        var expiry by remember { mutableStateOf("") } // YYMMDD, printed on the card
        var otp by remember { mutableStateOf("") }
        var passcode by remember { mutableStateOf("") }
        val scope = rememberCoroutineScope()
        Column(Modifier.padding(16.dp)) {
            OutlinedTextField(id, { id = it }, label = { Text("Số CCCD") })
            OutlinedTextField(phone, { phone = it }, label = { Text("Số điện thoại") })
            OutlinedTextField(birth, { birth = it }, label = { Text("Ngày sinh (YYYY-MM-DD)") })
            Button(onClick = { act { status.value = "OTP → " + it.startActivation(ActivationInput(id, phone, birth, null)).maskedPhone } }) {
                Text("Gửi mã OTP")
            }
            OutlinedTextField(otp, { otp = it }, label = { Text("Mã OTP") })
            OutlinedTextField(passcode, { passcode = it }, label = { Text("Mật mã (6 số)") })
            Button(onClick = { act { it.verifyOtp(otp); it.setPasscode(passcode); status.value = "Đã kích hoạt" } }) {
                Text("Kích hoạt")
            }
            OutlinedTextField(expiry, { expiry = it }, label = { Text("Ngày hết hạn trên thẻ (YYMMDD)") })
            Button(onClick = {
                val dob = birth.replace("-", "").takeLast(6)
                startChipRead(CardAccessKey(id, dob, expiry, null))
            }) { Text("Đọc chip CCCD") }
            progress.value?.let { LinearProgressIndicator(progress = { it }, modifier = Modifier.fillMaxWidth()) }
            Button(onClick = { act { it.fetchCredentials(); qr.value = it.present(PresentationPreset.IDENTITY_CHECK) } }) {
                Text("Hiện mã QR")
            }
            Button(onClick = { scope.launch { readJob?.cancel() } }) { Text("Huỷ") }
            Text(status.value)
            qr.value?.let { QrImage(it) }
        }
    }

    @Composable
    private fun QrImage(q: PresentationQr) {
        val w = q.qrWidth.toInt()
        val quiet = 4
        val side = w + 2 * quiet
        val bitmap = remember(q) {
            Bitmap.createBitmap(side, side, Bitmap.Config.ARGB_8888).apply {
                eraseColor(android.graphics.Color.WHITE)
                for (y in 0 until w) for (x in 0 until w) {
                    if (q.modules[y * w + x]) setPixel(x + quiet, y + quiet, android.graphics.Color.BLACK)
                }
            }
        }
        Image(bitmap.asImageBitmap(), "QR", Modifier.size(280.dp), filterQuality = FilterQuality.None)
    }
}
