@file:Suppress("unused")

package android.os

class Build {
    object VERSION {
        @JvmField val SDK_INT: Int = stub()
    }

    object VERSION_CODES {
        const val P: Int = 28
        const val R: Int = 30
    }
}

private fun stub(): Nothing = throw UnsupportedOperationException("android.jar stub")
