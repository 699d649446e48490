// Reading the chip ID card through the generated bindings: a Kotlin NfcTransport (what the
// IsoDep adapter does on a phone) in front of the virtual CCCD of fixtures/chip.
package vn.vneid.foreigntest

import java.util.concurrent.atomic.AtomicInteger
import vn.vneid.core.CardAccessKey
import vn.vneid.core.CheckVerdict
import vn.vneid.core.ChipReadListener
import vn.vneid.core.ChipReadProgress
import vn.vneid.core.ChipReader
import vn.vneid.core.ErrorCode
import vn.vneid.core.FaceFormat
import vn.vneid.core.NfcException
import vn.vneid.core.NfcTransport
import vn.vneid.core.VirtualChip
import vn.vneid.core.VneidException
import vn.vneid.core.virtualChipCscaPem
import vn.vneid.core.virtualCitizens

/** Like IsoDep: a transceive per APDU, and TagLostException when the card leaves the field. */
class KotlinNfcTransport(
    private val chip: VirtualChip,
    private val maxLength: UInt,
    loseTagAt: Set<Int> = emptySet(),
) : NfcTransport {
    private val loseAt = loseTagAt.toMutableSet()
    val apdus = AtomicInteger()

    override fun transceive(apdu: ByteArray): ByteArray {
        val n = apdus.getAndIncrement()
        if (loseAt.remove(n)) {
            chip.removeFromField()
            throw NfcException.TagLost()
        }
        return chip.transceive(apdu)
    }

    override fun maxTransceiveLength(): UInt = maxLength
}

class RecordingListener(private val onEach: (ChipReadProgress) -> Unit = {}) : ChipReadListener {
    val events = java.util.Collections.synchronizedList(mutableListOf<ChipReadProgress>())
    override fun onProgress(progress: ChipReadProgress) {
        events += progress
        onEach(progress)
    }
}

private fun trustedReader() = ChipReader(listOf(virtualChipCscaPem().toByteArray()))

private fun keyOf(c: vn.vneid.core.VirtualCitizen) = CardAccessKey(c.idNumber, c.dateOfBirth, c.dateOfExpiry, null)

val chipTests = listOf(
    test("reads and verifies the virtual card over an extended-length transport") {
        val citizen = virtualCitizens().first()
        val transport = KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u)
        val listener = RecordingListener()
        val id = trustedReader().read(keyOf(citizen), transport, listener, null)
        assertEquals(citizen.idNumber, id.idNumber, "ID number from DG13")
        assertEquals(citizen.fullName, id.fullName, "full name with diacritics from DG13")
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "passive authentication")
        assertEquals(CheckVerdict.Passed, id.chipAuthentication, "chip authentication")
        assertEquals(CheckVerdict.Passed, id.activeAuthentication, "active authentication")
        assertEquals("PACE", id.accessProtocol, "access protocol")
        assertEquals(FaceFormat.JPEG, id.faceFormat, "face format")
        val face = id.faceImage ?: fail("no face")
        assertTrue(face.size > 1000 && face[0] == 0xFF.toByte() && face[1] == 0xD8.toByte()) { "not a JPEG" }
        val events = listener.events.toList()
        assertTrue(events.isNotEmpty()) { "no progress events" }
        assertTrue(events.zipWithNext().all { (a, b) -> b.bytesRead >= a.bytesRead }) { "progress went backwards" }
        assertEquals(events.last().bytesTotal, events.last().bytesRead, "last progress event")
        val files = events.map { it.file }.toSet()
        assertTrue(files.containsAll(listOf("EF.COM", "DG1", "DG2", "DG14", "DG15", "EF.SOD"))) { "file names: $files" }
        assertTrue(events.zipWithNext().all { (a, b) -> b.fraction >= a.fraction }) { "fraction went backwards" }
        assertEquals(1.0f, events.last().fraction, "fraction of the last event")
        assertEquals(transport.apdus.get().toUInt(), id.apdus, "APDUs counted by the core")
    },

    test("a short-only transport reads the same identity with more APDUs") {
        val citizen = virtualCitizens().first()
        val extended = trustedReader().read(
            keyOf(citizen), KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        val short = trustedReader().read(
            keyOf(citizen), KotlinNfcTransport(VirtualChip(citizen.idNumber), 261u), null, null)
        assertEquals(extended.idNumber, short.idNumber, "same identity")
        assertTrue(short.apdus > extended.apdus * 3u) { "short ${short.apdus} vs extended ${extended.apdus}" }
    },

    test("a lost tag mid-read resumes where it stopped") {
        val citizen = virtualCitizens().last()
        val transport = KotlinNfcTransport(VirtualChip(citizen.idNumber), 261u, setOf(6, 30))
        val id = trustedReader().read(keyOf(citizen), transport, null, null)
        assertEquals(2u, id.reconnects, "reconnects")
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "passive authentication after resume")
    },

    test("wrong dates are refused by the chip with CHIP_ACCESS_DENIED") {
        val citizen = virtualCitizens().first()
        val wrong = CardAccessKey(citizen.idNumber, citizen.dateOfBirth, "991231", null)
        val e = assertThrows<VneidException.Chip> {
            trustedReader().read(wrong, KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        }
        assertEquals(ErrorCode.CHIP_ACCESS_DENIED, e.code, "code")
        assertTrue(e.messageVi.isNotBlank() && e.messageEn.isNotBlank()) { "messages" }
    },

    test("a card whose signer no trusted CSCA issued fails passive authentication") {
        val citizen = virtualCitizens().first()
        val id = ChipReader(emptyList()).read(
            keyOf(citizen), KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        val verdict = id.passiveAuthentication
        assertTrue(verdict is CheckVerdict.Failed && verdict.reason.contains("chain")) { "verdict $verdict" }
    },

    test("a cloned chip passes passive authentication but fails chip and active authentication") {
        val citizen = virtualCitizens().first()
        val id = trustedReader().read(
            keyOf(citizen), KotlinNfcTransport(VirtualChip.cloned(citizen.idNumber), 65_546u), null, null)
        assertEquals(citizen.idNumber, id.idNumber, "the copied data reads")
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "copied files are genuine")
        val ca = id.chipAuthentication
        assertTrue(ca is CheckVerdict.Failed && ca.reason.contains("DG14")) { "CA $ca" }
        val aa = id.activeAuthentication
        assertTrue(aa is CheckVerdict.Failed && aa.reason.contains("DG15")) { "AA $aa" }
    },

    test("the card access number opens the chip with PACE; a wrong one is refused") {
        val citizen = virtualCitizens().first()
        val byCan = CardAccessKey("", "", "", null, citizen.can)
        val id = trustedReader().read(byCan, KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        assertEquals(citizen.fullName, id.fullName, "full name")
        assertEquals(CheckVerdict.Passed, id.chipAuthentication, "chip authentication")
        val wrongCan = if (citizen.can == "000000") "000001" else "000000"
        val e = assertThrows<VneidException.Chip> {
            trustedReader().read(CardAccessKey("", "", "", null, wrongCan),
                KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        }
        assertEquals(ErrorCode.CHIP_ACCESS_DENIED, e.code, "code")
    },

    test("any document number with the dates opens the chip; a mistyped MRZ text is refused") {
        val citizen = virtualCitizens().first()
        // The CCCD's document number is the last 9 digits of the ID number.
        val byNumber = CardAccessKey("", citizen.dateOfBirth, citizen.dateOfExpiry, citizen.idNumber.substring(3))
        val id = trustedReader().read(byNumber, KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        assertEquals(citizen.fullName, id.fullName, "full name")
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "passive authentication")
        // Doc 9303 Part 4 specimen passport with its document number's check digit changed.
        val mistyped = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C46UTO7408122F1204159ZE184226B<<<<<10"
        val e = assertThrows<VneidException.Chip> {
            trustedReader().read(CardAccessKey("", "", "", mrz = mistyped),
                KotlinNfcTransport(VirtualChip(citizen.idNumber), 65_546u), null, null)
        }
        assertEquals(ErrorCode.CHIP_ACCESS_INPUT_INVALID, e.code, "code")
    },

    test("cancel stops a read in progress") {
        val citizen = virtualCitizens().first()
        val reader = trustedReader()
        val listener = RecordingListener { reader.cancel() }
        val e = assertThrows<VneidException.Cancelled> {
            reader.read(keyOf(citizen), KotlinNfcTransport(VirtualChip(citizen.idNumber), 261u), listener, null)
        }
        assertEquals(ErrorCode.CANCELLED, e.code, "code")
        assertEquals(1, listener.events.size, "progress events before the cancel took effect")
    },
)
