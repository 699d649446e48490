// The reference backend's dev-only endpoints: seeded citizens and the SMS outbox.
package vn.vneid.foreigntest

import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import java.util.concurrent.atomic.AtomicInteger

data class Citizen(val idNumber: String, val fullName: String, val dateOfBirth: String, val phone: String)

object DevBackend {
    private val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
    /** Each test takes citizens no other test uses (activation starts are rate limited per ID). */
    private val next = AtomicInteger(0)
    private val seeded: List<Citizen> by lazy { fetchCitizens(200) }
    /** Citizens whose virtual chip card exists stay out of [freshCitizen]: the level-2 tests
     *  (Level2Test.kt) activate them and raise them to level 2. */
    private val chipIds: Set<String> by lazy { vn.vneid.core.virtualCitizens().map { it.idNumber }.toSet() }
    private val citizens: List<Citizen> by lazy { seeded.filter { it.idNumber !in chipIds } }

    private fun get(path: String): String {
        val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}$path"))
            .header("x-dev-token", TestEnv.devToken)
            .timeout(Duration.ofSeconds(10)).GET().build()
        val resp = client.send(req, HttpResponse.BodyHandlers.ofString())
        assertEquals(200, resp.statusCode(), "GET $path status")
        return resp.body()
    }

    private fun field(obj: String, name: String): String =
        Regex("\"$name\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").find(obj)?.groupValues?.get(1)
            ?: fail("field $name missing in $obj")

    private fun fetchCitizens(count: Int): List<Citizen> =
        Regex("\\{[^{}]*\\}").findAll(get("/v1/dev/citizens?count=$count")).map {
            val o = it.value
            Citizen(field(o, "id_number"), field(o, "full_name"), field(o, "date_of_birth"), field(o, "phone"))
        }.toList()

    /** A seeded citizen no other test in this run has used. */
    fun freshCitizen(): Citizen {
        val i = next.getAndIncrement()
        assertTrue(i < citizens.size) { "ran out of seeded citizens" }
        return citizens[i]
    }

    /** The seeded citizen with this ID number (one with a virtual chip card, for level 2). */
    fun chipCitizen(idNumber: String): Citizen =
        seeded.firstOrNull { it.idNumber == idNumber } ?: fail("$idNumber is not seeded")

    /** The newest OTP the dev SMS gateway sent to [phone]. */
    fun latestOtp(phone: String): String {
        val body = get("/v1/dev/sms-outbox?phone=" + URLEncoder.encode(phone, "UTF-8"))
        val last = Regex("\"body\"\\s*:\\s*\"([^\"]*)\"").findAll(body).lastOrNull()?.groupValues?.get(1)
            ?: fail("no SMS to $phone")
        return Regex("\\b(\\d{6})\\b").find(last)?.groupValues?.get(1) ?: fail("no 6-digit code in '$last'")
    }
}
