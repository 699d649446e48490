// Judicial-record requests for coroutines: thin suspend wrappers, and the core's status
// listener as a Flow (threading, error mapping and listener lifetime only).
package vn.vneid.android

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow
import vn.vneid.core.ChipDetails
import vn.vneid.core.CredentialSummary
import vn.vneid.core.FeeQuote
import vn.vneid.core.FeeSchedule
import vn.vneid.core.FieldError
import vn.vneid.core.FlushReport
import vn.vneid.core.JudicialDraft
import vn.vneid.core.JudicialForm
import vn.vneid.core.JudicialHistoryEntry
import vn.vneid.core.JudicialPaymentGateway
import vn.vneid.core.JudicialRequestInfo
import vn.vneid.core.JudicialStatusListener
import vn.vneid.core.PresentationQr
import vn.vneid.core.StatusChange

suspend fun VneidWallet.judicialFeeSchedule(): FeeSchedule = call { it.judicialFeeSchedule() }

/**
 * A draft prefilled from the verified identity; [chip] (from `judicialChipDetails(identity)`
 * after a chip read) locks the chip's details too.
 */
suspend fun VneidWallet.newJudicialDraft(chip: ChipDetails? = null): JudicialDraft = call { it.newJudicialDraft(chip) }
suspend fun VneidWallet.judicialForm(localId: Long): JudicialForm = call { it.judicialForm(localId) }

/** Saves an edited draft; a changed locked detail throws [VneidException.Judicial] naming the field. */
suspend fun VneidWallet.saveJudicialDraft(localId: Long, form: JudicialForm): JudicialForm =
    call { it.saveJudicialDraft(localId, form) }
suspend fun VneidWallet.deleteJudicialDraft(localId: Long) = call { it.deleteJudicialDraft(localId) }

/** Every error of the form, each naming its field; empty = ready to submit. */
suspend fun VneidWallet.validateJudicial(form: JudicialForm): List<FieldError> = call { it.validateJudicial(form) }
suspend fun VneidWallet.judicialFee(form: JudicialForm): FeeQuote = call { it.judicialFee(form) }

/** Validates, freezes and sends; offline the request stays queued (see [flushJudicialOutbox]). */
suspend fun VneidWallet.submitJudicial(localId: Long): JudicialRequestInfo = call { it.submitJudicial(localId) }

/** Sends whatever is queued: call when the network returns. */
suspend fun VneidWallet.flushJudicialOutbox(): FlushReport = call { it.flushJudicialOutbox() }

/** Polls the office for every open request; [judicialStatusChanges] collectors hear each new step. */
suspend fun VneidWallet.refreshJudicial(): List<JudicialRequestInfo> = call { it.refreshJudicial() }
suspend fun VneidWallet.judicialRequests(): List<JudicialRequestInfo> = call { it.judicialRequests() }
suspend fun VneidWallet.judicialRequest(localId: Long): JudicialRequestInfo = call { it.judicialRequest(localId) }
suspend fun VneidWallet.judicialHistory(localId: Long): List<JudicialHistoryEntry> = call { it.judicialHistory(localId) }
suspend fun VneidWallet.answerJudicial(localId: Long, answer: String): JudicialRequestInfo =
    call { it.answerJudicial(localId, answer) }

/**
 * Pays the fee through the app's [gateway] (a bank or e-wallet SDK; its `pay` is called on a
 * core thread and may block while the citizen confirms), then settles it with the backend.
 */
suspend fun VneidWallet.payJudicial(localId: Long, gateway: JudicialPaymentGateway): JudicialRequestInfo =
    call { it.payJudicial(localId, gateway) }
suspend fun VneidWallet.fetchJudicialCertificate(localId: Long): CredentialSummary =
    call { it.fetchJudicialCertificate(localId) }

/** The certificate as a QR (recorded in the disclosure history). */
suspend fun VneidWallet.presentJudicialCertificate(): PresentationQr = call { it.presentJudicialCertificate() }

/**
 * Every new office step, once stored (from [refreshJudicial] and the other judicial calls).
 * Collecting installs the core's listener, and stopping the collection removes it; the core
 * holds one listener per wallet, so collect this in one place (e.g. a ViewModel) at a time.
 * Nothing is dropped (a change is a few strings; the count is bounded by the office's steps).
 */
fun VneidWallet.judicialStatusChanges(): Flow<StatusChange> = callbackFlow {
    core.setJudicialListener(object : JudicialStatusListener {
        override fun onStatusChanged(change: StatusChange) {
            trySend(change)
        }
    })
    awaitClose { core.setJudicialListener(null) }
}.buffer(Channel.UNLIMITED)
