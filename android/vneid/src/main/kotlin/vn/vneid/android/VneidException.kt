// The library's one exception type for app code: a sealed class per category, with the stable
// code and the citizen-facing messages of the core's flat VneidError.
package vn.vneid.android

import java.util.Locale
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import vn.vneid.core.ErrorCode
import vn.vneid.core.VneidException as CoreException

/**
 * Every failure of the wallet and the chip reader. `when` over the subclasses picks the screen
 * to show; [code] tells the precise case; [messageVi] / [messageEn] are safe to show (they
 * never contain personal data). [message] is the English text, for logs.
 *
 * The generated `vn.vneid.core.VneidException` carries the same data but its `message` is a
 * debug dump and its counters are unsigned; this hierarchy is what the idiomatic API throws.
 */
sealed class VneidException(
    val code: ErrorCode,
    val messageVi: String,
    val messageEn: String,
    cause: Throwable?,
) : Exception(messageEn, cause) {
    /** The message in the citizen's language: Vietnamese unless [locale] is another language. */
    fun messageFor(locale: Locale = Locale.getDefault()): String =
        if (locale.language == "vi" || locale.language.isEmpty()) messageVi else messageEn

    /** Whether trying again later (network back, card held again) may succeed. */
    open val isRetryable: Boolean get() = false

    /** Wrong or malformed input (ID number, phone, dates, passcode format). */
    class InvalidInput(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    /** SMS OTP wrong, expired, exhausted or resent too soon. */
    class Otp(
        code: ErrorCode, vi: String, en: String, cause: Throwable?,
        val attemptsLeft: Int?,
        val retryAfter: Duration?,
    ) : VneidException(code, vi, en, cause)

    /** Wrong passcode or a blocked wallet; [attemptsLeft] before the wallet blocks. */
    class Passcode(code: ErrorCode, vi: String, en: String, cause: Throwable?, val attemptsLeft: Int?) :
        VneidException(code, vi, en, cause)

    /** Account state: not unlocked, revoked device, identity mismatch, wrong state. */
    class Account(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    /** No connection or a timeout: retry when online. */
    class Network(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause) {
        override val isRetryable: Boolean get() = true
    }

    /** The backend refused or failed; wait [retryAfter] when given. */
    class Server(code: ErrorCode, vi: String, en: String, cause: Throwable?, val retryAfter: Duration?) :
        VneidException(code, vi, en, cause) {
        override val isRetryable: Boolean get() = code == ErrorCode.RATE_LIMITED || code == ErrorCode.SERVER_ERROR
    }

    /** The secure area (Keystore) failed. */
    class Device(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    /** The wallet database failed. */
    class Storage(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    /** Credentials and presentations: none held, rejected, bad request or verifier data. */
    class Credential(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    /**
     * The chip ID card: access refused (wrong dates), card lost, not a CCCD. When [canResume],
     * ask the citizen to hold the card again and call `read` again.
     */
    class Chip(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause) {
        val canResume: Boolean get() = code == ErrorCode.CHIP_LOST
        override val isRetryable: Boolean get() = canResume
    }

    /** Judicial-record requests; [field] names the form field at fault (`personal.id_number`). */
    class Judicial(code: ErrorCode, vi: String, en: String, cause: Throwable?, val field: String?) :
        VneidException(code, vi, en, cause)

    /**
     * The core stopped the operation because `cancelAll()` (or a chip reader's cancel) was
     * called. Coroutine cancellation is reported as [kotlinx.coroutines.CancellationException],
     * never as this.
     */
    class Cancelled(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    /** A bug or a category this version of the library does not know yet. */
    class Internal(code: ErrorCode, vi: String, en: String, cause: Throwable?) :
        VneidException(code, vi, en, cause)

    companion object {
        /**
         * Maps the generated error. Categories added to the core later map to [Internal] with
         * their code and messages intact, so an app built against this version keeps working.
         */
        @Suppress("REDUNDANT_ELSE_IN_WHEN") // variants added to the core later land in `else`
        fun from(e: CoreException): VneidException = when (e) {
            is CoreException.Input -> InvalidInput(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Otp -> Otp(
                e.code, e.messageVi, e.messageEn, e,
                e.attemptsLeft?.toInt(), e.retryAfterSeconds?.toLong()?.seconds,
            )
            is CoreException.Passcode -> Passcode(e.code, e.messageVi, e.messageEn, e, e.attemptsLeft?.toInt())
            is CoreException.Account -> Account(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Network -> Network(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Server -> Server(
                e.code, e.messageVi, e.messageEn, e, e.retryAfterSeconds?.toLong()?.seconds,
            )
            is CoreException.Device -> Device(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Storage -> Storage(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Credential -> Credential(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Chip -> Chip(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Judicial -> Judicial(e.code, e.messageVi, e.messageEn, e, e.field)
            is CoreException.Cancelled -> Cancelled(e.code, e.messageVi, e.messageEn, e)
            is CoreException.Internal -> Internal(e.code, e.messageVi, e.messageEn, e)
            else -> fallback(e)
        }

        /** Reads code and messages of a variant added after this file was written. */
        private fun fallback(e: CoreException): VneidException {
            fun <T> field(name: String): T? = runCatching {
                @Suppress("UNCHECKED_CAST")
                e.javaClass.getMethod("get" + name.replaceFirstChar { it.uppercase() }).invoke(e) as T
            }.getOrNull()
            val code = field<ErrorCode>("code") ?: ErrorCode.INTERNAL
            val vi = field<String>("messageVi") ?: "Đã xảy ra lỗi."
            val en = field<String>("messageEn") ?: "Something went wrong."
            return Internal(code, vi, en, e)
        }
    }
}

/** Runs [block], rethrowing the core's error as the sealed [VneidException]. */
internal inline fun <T> mappingErrors(block: () -> T): T =
    try {
        block()
    } catch (e: CoreException) {
        throw VneidException.from(e)
    }
