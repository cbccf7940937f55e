// Listing Lens: JNI helpers - C++ exception -> Java exception translation and
// array access.
//
// Every JNI entry point runs its body through lens::guarded(), which catches
// every C++ exception (FAISS's, the standard library's, ours and unknown ones)
// and raises the matching Java exception instead, so no C++ exception ever
// unwinds into the JVM.
#pragma once

#include "lens_common.h"

#include <faiss/impl/FaissException.h>

#include <jni.h>

#include <new>
#include <string>
#include <vector>

namespace lens {

// Thrown after a JNI call left a Java exception pending; guarded() then
// returns without raising another one.
struct JavaExceptionPending {};

// Cached in JNI_OnLoad.
bool initJni(JNIEnv* env);
void releaseJni(JNIEnv* env);

// These never throw: the message is assembled in a fixed buffer (bytes outside
// printable ASCII become '?', so the JVM always gets valid modified UTF-8).
void throwVectorIndexException(JNIEnv* env, const char* prefix, const char* msg) noexcept;
void throwIllegalArgument(JNIEnv* env, const char* msg) noexcept;
void throwIllegalState(JNIEnv* env, const char* msg) noexcept;

template <class R, class F>
R guarded(JNIEnv* env, R fallback, F&& body) noexcept {
    try {
        return body();
    } catch (const JavaExceptionPending&) {
        // a Java exception is already pending
    } catch (const InvalidArgument& e) {
        throwIllegalArgument(env, e.what());
    } catch (const IllegalState& e) {
        throwIllegalState(env, e.what());
    } catch (const CorruptIndex& e) {
        throwVectorIndexException(env, "corrupt or unsupported index file: ", e.what());
    } catch (const IoError& e) {
        throwVectorIndexException(env, "I/O error: ", e.what());
    } catch (const Unsupported& e) {
        throwVectorIndexException(env, "", e.what());
    } catch (const faiss::FaissException& e) {
        throwVectorIndexException(env, "FAISS error: ", e.what());
    } catch (const std::bad_alloc&) {
        throwVectorIndexException(env, "", "native memory allocation failed (std::bad_alloc)");
    } catch (const std::exception& e) {
        throwVectorIndexException(env, "native error: ", e.what());
    } catch (...) {
        throwVectorIndexException(env, "", "unknown native error");
    }
    return fallback;
}

template <class F>
void guardedVoid(JNIEnv* env, F&& body) noexcept {
    guarded(env, 0, [&]() {
        body();
        return 0;
    });
}

// Throws JavaExceptionPending if a JNI call raised a Java exception.
void checkJava(JNIEnv* env);

std::string jstringToUtf8(JNIEnv* env, jstring s, const char* what);
// File system path passed as bytes (no terminating NUL, none inside).
std::string jbytesToPath(JNIEnv* env, jbyteArray bytes);

// Copies a Java float[] (exactly `expected` elements) into native memory.
std::vector<float> copyFloats(JNIEnv* env, jfloatArray array, int64_t expected, const char* what);
std::vector<int64_t> copyLongs(JNIEnv* env, jlongArray array, int64_t expected, const char* what);

} // namespace lens
