// Minimal test harness for the Kotlin binding tests (no JUnit).
//
// Add tests by creating a file in this directory with a top-level, column-0 declaration
//     val fooTests = listOf(test("name") { ... }, ...)
// (name ending in `Tests`). run-kotlin.sh finds these declarations and generates the list of
// suites (build/kotlin/Suites.kt), so nothing else needs editing. Test bodies are suspend
// lambdas: call the bindings' async functions directly.
package vn.vneid.foreigntest

import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlin.system.exitProcess

class TestCase(val name: String, val timeoutMs: Long, val body: suspend () -> Unit)

/** Declares a test. The default timeout is generous: the passcode KDF is slow in debug builds. */
fun test(name: String, timeoutMs: Long = 120_000, body: suspend () -> Unit) = TestCase(name, timeoutMs, body)

class TestFailure(message: String) : AssertionError(message)

fun fail(message: String): Nothing = throw TestFailure(message)

fun assertTrue(condition: Boolean, message: () -> String = { "assertion failed" }) {
    if (!condition) fail(message())
}

fun <T> assertEquals(expected: T, actual: T, what: String = "value") {
    if (expected != actual) fail("$what: expected <$expected>, got <$actual>")
}

/** Runs [block] and returns the exception of type [T] it throws; fails if it throws nothing or another type. */
suspend inline fun <reified T : Throwable> assertThrows(crossinline block: suspend () -> Unit): T {
    try {
        block()
    } catch (e: Throwable) {
        if (e is T) return e
        fail("expected ${T::class.simpleName}, got $e")
    }
    fail("expected ${T::class.simpleName}, nothing was thrown")
}

/** Environment given by the runner. */
object TestEnv {
    /** Base URL of the reference backend, e.g. http://127.0.0.1:41234 (no trailing slash). */
    val backendUrl: String get() = required("VNEID_BACKEND_URL").trimEnd('/')
    /** Dev token the backend was started with (for its test-only endpoints). */
    val devToken: String get() = required("VNEID_DEV_TOKEN")

    private fun required(name: String): String =
        System.getenv(name)?.takeIf { it.isNotEmpty() } ?: fail("environment variable $name is not set")
}

private fun describe(t: Throwable): String {
    val msg = if (t is TestFailure) t.message ?: "failed" else "${t::class.qualifiedName}: ${t.message}"
    return msg.replace('\n', ' ')
}

/** Usage: main [SUBSTRING...] runs the tests whose "suite/name" contains any SUBSTRING, ignoring case (all if none). */
fun main(args: Array<String>) {
    val filters = args.toList() + (System.getenv("VNEID_TEST_FILTER")?.split(',')?.filter { it.isNotBlank() } ?: emptyList())
    var passed = 0
    var failed = 0
    for ((suite, tests) in allSuites) {
        for (t in tests) {
            val full = "$suite/${t.name}"
            if (filters.isNotEmpty() && filters.none { full.contains(it, ignoreCase = true) }) continue
            val start = System.nanoTime()
            try {
                runBlocking { withTimeout(t.timeoutMs) { t.body() } }
                println("PASS $full (${(System.nanoTime() - start) / 1_000_000} ms)")
                passed++
            } catch (e: Throwable) {
                println("FAIL $full: ${describe(e)}")
                if (e !is TestFailure || System.getenv("VNEID_TEST_VERBOSE") != null) {
                    e.stackTrace.take(8).forEach { println("    at $it") }
                }
                failed++
            }
            System.out.flush()
        }
    }
    if (passed + failed == 0) {
        println("no test matched ${filters.joinToString()}")
        failed = 1
    }
    println("$passed passed, $failed failed")
    System.out.flush()
    exitProcess(if (failed == 0) 0 else 1)
}
