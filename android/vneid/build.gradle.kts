// The vneid Android library: the generated UniFFI bindings (package vn.vneid.core), the
// idiomatic Kotlin layer and the platform adapters (package vn.vneid.android), and the native
// libvneid_ffi.so per ABI. `../build-rust.sh` produces the last two generated parts.
plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "vn.vneid.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
        ndk {
            // What build-rust.sh builds; other ABIs are not shipped.
            abiFilters += listOf("arm64-v8a", "armeabi-v7a", "x86_64")
        }
    }

    sourceSets["main"].apply {
        // src/main/kotlin: pure Kotlin (JVM-tested by tests/foreign/run-android-jvm.sh);
        // src/androidMain/kotlin: needs the SDK (IsoDep, Keystore);
        // src/main/generated/kotlin: bindings written by build-rust.sh.
        // Never src/jvmStubs or src/jvmTest: those are for the JVM check only.
        java.srcDirs("src/main/kotlin", "src/androidMain/kotlin", "src/main/generated/kotlin")
        jniLibs.srcDirs("src/main/jniLibs")
    }

    buildTypes {
        release {
            isMinifyEnabled = false // a library: the app's R8 applies consumer-rules.pro
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    kotlinOptions {
        jvmTarget = "17"
    }

    packaging {
        jniLibs {
            // Stored uncompressed and page-aligned (16 KB-page devices, Android 15+).
            useLegacyPackaging = false
        }
    }
}

dependencies {
    // The @aar variant ships libjnidispatch.so for every Android ABI (the plain jar has none).
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
}

// Builds the Rust library for every ABI and regenerates the bindings before each build.
val buildRust by tasks.registering(Exec::class) {
    group = "build"
    description = "cargo-ndk build of libvneid_ffi.so (release-mobile) and the Kotlin bindings"
    workingDir = rootProject.projectDir
    commandLine("bash", "build-rust.sh")
    onlyIf { providers.gradleProperty("vneid.skipRust").orNull != "true" }
}
tasks.named("preBuild") { dependsOn(buildRust) }
