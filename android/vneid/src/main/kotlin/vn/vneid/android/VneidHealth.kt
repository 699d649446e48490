// The electronic health book for coroutines: thin suspend wrappers over the core's health calls
// (threading and error mapping only; the book's logic lives in the core).
package vn.vneid.android

import vn.vneid.core.HealthEntry
import vn.vneid.core.HealthFacility
import vn.vneid.core.HealthPage
import vn.vneid.core.HealthProfileInput
import vn.vneid.core.HealthQuery
import vn.vneid.core.HealthSummary
import vn.vneid.core.HealthSyncReport
import vn.vneid.core.SelfDeclaredHealthProfile

/**
 * Syncs the book (resumable: a failed sync keeps every page it completed), then tops up the
 * BHYT card copies. [pageSize] (1–500) changes per request; null = the core's default.
 */
suspend fun VneidWallet.healthSync(pageSize: UInt? = null): HealthSyncReport =
    call { if (pageSize == null) it.healthSync() else it.healthSyncWithPageSize(pageSize) }

/** One page of the book, newest first; pass [HealthPage.nextPage] as the next query's token. */
suspend fun VneidWallet.healthQuery(query: HealthQuery): HealthPage = call { it.healthQuery(query) }

/** One record with the citizen's note. */
suspend fun VneidWallet.healthRecord(recordId: String): HealthEntry = call { it.healthRecord(recordId) }

/** Facilities that issued records (for a filter picker). */
suspend fun VneidWallet.healthFacilities(): List<HealthFacility> = call { it.healthFacilities() }

/** Sets (or with null removes) the citizen's note on a record. */
suspend fun VneidWallet.healthSetNote(recordId: String, note: String?) = call { it.healthSetNote(recordId, note) }

/** Counts per kind, date range, the BHYT card, last sync. */
suspend fun VneidWallet.healthSummary(): HealthSummary = call { it.healthSummary() }

suspend fun VneidWallet.healthProfile(): SelfDeclaredHealthProfile? = call { it.healthProfile() }

suspend fun VneidWallet.healthSetProfile(profile: HealthProfileInput): SelfDeclaredHealthProfile =
    call { it.healthSetProfile(profile) }

/** The book (null) or a selection of records as a FHIR R4 Bundle (JSON text). */
suspend fun VneidWallet.healthExportFhir(recordIds: List<String>? = null): String =
    call { it.healthExportFhir(recordIds) }
