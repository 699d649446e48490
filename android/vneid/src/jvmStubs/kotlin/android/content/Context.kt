// Compile-only stand-ins for android.* (see README.md). Signatures as Kotlin sees the SDK.
@file:Suppress("unused", "UNUSED_PARAMETER")

package android.content

abstract class Context {
    abstract val packageManager: android.content.pm.PackageManager
}
