// Smoke tests: the library loads, a plain export answers, the backend is up.
package vn.vneid.foreigntest

import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import vn.vneid.core.coreVersion

val smokeTests = listOf(
    test("core version is non-empty") {
        val v = coreVersion()
        assertTrue(v.isNotBlank()) { "coreVersion() returned '$v'" }
        assertTrue(Regex("""\d+\.\d+\.\d+.*""").matches(v)) { "coreVersion() is not a semver: '$v'" }
    },
    test("backend healthz answers 200") {
        val client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
        val req = HttpRequest.newBuilder(URI.create("${TestEnv.backendUrl}/healthz"))
            .timeout(Duration.ofSeconds(10)).GET().build()
        val resp = client.send(req, HttpResponse.BodyHandlers.ofString())
        assertEquals(200, resp.statusCode(), "GET /healthz status")
    },
)
