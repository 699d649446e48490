// The Android library of vneid-core (module :vneid) and its sample app (module :sample).
// Needs the Android SDK (compileSdk 35) and, for the native library, the NDK: see README.md.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "vneid-android"
include(":vneid")
include(":sample")
