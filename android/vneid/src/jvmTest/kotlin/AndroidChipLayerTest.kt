// The Android library's idiomatic chip API on the JVM: suspend read, progress Flow,
// cancellation, error mapping and the IsoDep transport logic, against the virtual CCCD.
package vn.vneid.foreigntest

import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import vn.vneid.android.ChipReadEvent
import vn.vneid.android.ResumableNfcTransport
import vn.vneid.android.SHORT_APDU_LIMIT
import vn.vneid.android.VneidChipReader
import vn.vneid.android.VneidException
import vn.vneid.android.effectiveMaxTransceiveLength
import vn.vneid.core.CardAccessKey
import vn.vneid.core.CheckVerdict
import vn.vneid.core.ErrorCode
import vn.vneid.core.VirtualChip
import vn.vneid.core.virtualChipCscaPem
import vn.vneid.core.virtualCitizens

private fun reader() = VneidChipReader(listOf(virtualChipCscaPem().toByteArray()))

private fun transportFor(chip: VirtualChip, maxLength: Int = 65_546, delayMs: Long = 0, counter: AtomicInteger = AtomicInteger()) =
    ResumableNfcTransport(VirtualIsoDep(chip, maxLength, maxLength > SHORT_APDU_LIMIT, apduDelayMs = delayMs, counter = counter))

val androidChipTests = listOf(
    test("the suspend read verifies the virtual card through the IsoDep transport logic") {
        val c = virtualCitizens().first()
        val link = VirtualIsoDep(VirtualChip(c.idNumber))
        val transport = ResumableNfcTransport(link, readTimeoutMs = 10_000)
        assertEquals(10_000, link.timeoutMs, "IsoDep timeout raised for long reads")
        assertEquals(65_546u, transport.maxTransceiveLength(), "extended length offered to the core")
        val id = reader().read(accessKey(c), transport)
        assertEquals(c.idNumber, id.idNumber, "ID number")
        assertEquals(c.fullName, id.fullName, "full name")
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "passive authentication")
    },

    test("readWithProgress emits growing progress and ends with exactly one Done") {
        val c = virtualCitizens().first()
        val events = reader().readWithProgress(accessKey(c), transportFor(VirtualChip(c.idNumber), 261)).toList()
        val progress = events.filterIsInstance<ChipReadEvent.Progress>().map { it.progress }
        assertTrue(progress.size > 20) { "only ${progress.size} progress events for a short-APDU read" }
        assertTrue(progress.zipWithNext().all { (a, b) -> b.bytesRead >= a.bytesRead }) { "progress went backwards" }
        assertTrue(progress.all { it.fraction in 0f..1f }) { "fraction out of range" }
        assertTrue(progress.any { it.file == "DG2" }) { "no DG2 progress in ${progress.map { it.file }.toSet()}" }
        assertEquals(1, events.count { it is ChipReadEvent.Done }, "Done events")
        val done = events.last() as? ChipReadEvent.Done ?: fail("last event is not Done")
        assertEquals(c.idNumber, done.identity.idNumber, "identity in Done")
        assertEquals(1f, progress.last().fraction, "last fraction")
    },

    test("cancelling the collector stops the core before the cancellation returns, and the reader still works") {
        val c = virtualCitizens().first()
        val r = reader()
        val full = AtomicInteger()
        r.read(accessKey(c), transportFor(VirtualChip(c.idNumber), 261, counter = full))
        val sent = AtomicInteger()
        val started = CompletableDeferred<Unit>()
        var done = false
        coroutineScope {
            val job = launch(Dispatchers.Default) {
                r.readWithProgress(accessKey(c), transportFor(VirtualChip(c.idNumber), 261, delayMs = 3, counter = sent))
                    .collect { if (it is ChipReadEvent.Done) done = true else started.complete(Unit) }
            }
            started.await()
            job.cancelAndJoin()
        }
        val atCancel = sent.get()
        delay(300)
        assertEquals(atCancel, sent.get(), "APDUs sent after the cancelled read returned")
        assertTrue(!done) { "the read completed instead of being cancelled" }
        assertTrue(atCancel in 1 until full.get() / 2) { "$atCancel of ${full.get()} APDUs sent: the core was not stopped" }
        val id = r.read(accessKey(c), transportFor(VirtualChip(c.idNumber)))
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "read after a cancelled one")
    },

    test("a cancelled suspend read throws CancellationException, not a VneidException") {
        val c = virtualCitizens().first()
        val outcome = CompletableDeferred<Throwable?>()
        coroutineScope {
            val job = launch {
                try {
                    reader().read(accessKey(c), transportFor(VirtualChip(c.idNumber), 261, delayMs = 5))
                    outcome.complete(null)
                } catch (e: Throwable) {
                    outcome.complete(e)
                    throw e
                }
            }
            delay(100)
            job.cancelAndJoin()
        }
        val e = outcome.await()
        assertTrue(e is CancellationException) { "got $e" }
    },

    test("wrong card dates throw VneidException.Chip CHIP_ACCESS_DENIED with readable messages") {
        val c = virtualCitizens().first()
        val wrong = CardAccessKey(c.idNumber, c.dateOfBirth, "991231", null)
        val e = assertThrows<VneidException.Chip> { reader().read(wrong, transportFor(VirtualChip(c.idNumber))) }
        assertEquals(ErrorCode.CHIP_ACCESS_DENIED, e.code, "code")
        assertEquals(e.messageEn, e.message, "message is the English text, not a debug dump")
        assertTrue(!e.canResume && !e.isRetryable) { "access denied is not resumable" }
        assertEquals(e.messageVi, e.messageFor(java.util.Locale("vi", "VN")), "Vietnamese message")
        assertTrue(e.cause is vn.vneid.core.VneidException.Chip) { "cause ${e.cause}" }
    },

    test("a bad CSCA certificate fails when the reader is made") {
        val e = assertThrows<VneidException> { VneidChipReader(listOf("not a certificate".toByteArray())) }
        assertEquals(ErrorCode.TRUST_STORE_INVALID, e.code, "code")
    },

    test("a lost tag waits for the card to be held again, then the core resumes") {
        val c = virtualCitizens().last()
        val chip = VirtualChip(c.idNumber)
        val transport = ResumableNfcTransport(VirtualIsoDep(chip, 261, false, loseAfter = 12))
        val handOver = Thread {
            Thread.sleep(150)
            transport.offer(VirtualIsoDep(chip, 261, false))
        }.apply { start() }
        val id = reader().read(accessKey(c), transport)
        handOver.join()
        assertEquals(1u, id.reconnects, "reconnects counted by the core")
        assertEquals(1, transport.reconnects, "links handed over")
        assertEquals(CheckVerdict.Passed, id.passiveAuthentication, "passive authentication after resume")
    },

    test("a card not held again in time ends the read with CHIP_LOST") {
        val c = virtualCitizens().first()
        val transport = ResumableNfcTransport(
            VirtualIsoDep(VirtualChip(c.idNumber), loseAfter = 5), reconnectTimeoutMs = 200)
        val e = assertThrows<VneidException.Chip> { reader().read(accessKey(c), transport) }
        assertEquals(ErrorCode.CHIP_LOST, e.code, "code")
        assertTrue(e.canResume) { "CHIP_LOST tells the app to offer another try" }
    },

    test("extended length is used only when the controller supports it and its buffer is large") {
        assertEquals(65_279, effectiveMaxTransceiveLength(65_279, true), "extended")
        assertEquals(261, effectiveMaxTransceiveLength(65_279, false), "flag missing")
        assertEquals(261, effectiveMaxTransceiveLength(261, true), "buffer too small for extended")
        assertEquals(253, effectiveMaxTransceiveLength(253, false), "small buffer kept")
    },
)
