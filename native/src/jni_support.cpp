// Listing Lens: JNI helpers.
#include "jni_support.h"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace lens {
namespace {

jclass gVectorIndexException = nullptr;
jclass gIllegalArgument = nullptr;
jclass gIllegalState = nullptr;

jclass globalClass(JNIEnv* env, const char* name) {
    jclass local = env->FindClass(name);
    if (local == nullptr) {
        return nullptr;
    }
    auto global = static_cast<jclass>(env->NewGlobalRef(local));
    env->DeleteLocalRef(local);
    return global;
}

void throwWith(JNIEnv* env, jclass cls, const char* prefix, const char* msg) noexcept {
    if (env->ExceptionCheck()) {
        return; // keep the first exception
    }
    char buf[4096];
    std::snprintf(buf, sizeof buf, "%s%s", prefix ? prefix : "", msg ? msg : "");
    for (char* p = buf; *p; p++) {
        unsigned char c = static_cast<unsigned char>(*p);
        if (c < 0x20 || c >= 0x7f) {
            *p = (c == '\n' || c == '\t') ? ' ' : '?';
        }
    }
    if (cls == nullptr) {
        cls = env->FindClass("java/lang/RuntimeException");
        if (cls == nullptr) {
            return;
        }
    }
    env->ThrowNew(cls, buf);
}

} // namespace

bool initJni(JNIEnv* env) {
    gVectorIndexException = globalClass(env, "com/listinglens/vector/VectorIndexException");
    gIllegalArgument = globalClass(env, "java/lang/IllegalArgumentException");
    gIllegalState = globalClass(env, "java/lang/IllegalStateException");
    return gVectorIndexException && gIllegalArgument && gIllegalState;
}

void releaseJni(JNIEnv* env) {
    for (jclass* c : {&gVectorIndexException, &gIllegalArgument, &gIllegalState}) {
        if (*c != nullptr) {
            env->DeleteGlobalRef(*c);
            *c = nullptr;
        }
    }
}

void throwVectorIndexException(JNIEnv* env, const char* prefix, const char* msg) noexcept {
    throwWith(env, gVectorIndexException, prefix, msg);
}

void throwIllegalArgument(JNIEnv* env, const char* msg) noexcept {
    throwWith(env, gIllegalArgument, "", msg);
}

void throwIllegalState(JNIEnv* env, const char* msg) noexcept {
    throwWith(env, gIllegalState, "", msg);
}

void checkJava(JNIEnv* env) {
    if (env->ExceptionCheck()) {
        throw JavaExceptionPending{};
    }
}

std::string jstringToUtf8(JNIEnv* env, jstring s, const char* what) {
    if (s == nullptr) {
        throw InvalidArgument(std::string(what) + " must not be null");
    }
    const char* chars = env->GetStringUTFChars(s, nullptr);
    if (chars == nullptr) {
        checkJava(env);
        throw std::bad_alloc();
    }
    std::string out(chars);
    env->ReleaseStringUTFChars(s, chars);
    return out;
}

std::string jbytesToPath(JNIEnv* env, jbyteArray bytes) {
    if (bytes == nullptr) {
        throw InvalidArgument("path must not be null");
    }
    jsize n = env->GetArrayLength(bytes);
    if (n <= 0 || n > 4096) {
        throw InvalidArgument("path is empty or too long");
    }
    std::string out(static_cast<size_t>(n), '\0');
    env->GetByteArrayRegion(bytes, 0, n, reinterpret_cast<jbyte*>(&out[0]));
    checkJava(env);
    if (std::memchr(out.data(), '\0', out.size()) != nullptr) {
        throw InvalidArgument("path contains a NUL byte");
    }
    return out;
}

std::vector<float> copyFloats(JNIEnv* env, jfloatArray array, int64_t expected, const char* what) {
    if (array == nullptr) {
        throw InvalidArgument(std::string(what) + " must not be null");
    }
    jsize n = env->GetArrayLength(array);
    if (int64_t(n) != expected) {
        throw InvalidArgument(format("%s has %d elements, expected %lld", what, int(n), (long long)expected));
    }
    std::vector<float> out(static_cast<size_t>(n));
    env->GetFloatArrayRegion(array, 0, n, out.data());
    checkJava(env);
    for (jsize i = 0; i < n; i++) {
        // !(a <= b) is also true for NaN
        if (!(std::fabs(out[i]) <= kMaxComponent)) {
            throw InvalidArgument(format("%s[%d] is %g: components must be finite and within +-%g", what, int(i),
                    double(out[i]), double(kMaxComponent)));
        }
    }
    return out;
}

std::vector<int64_t> copyLongs(JNIEnv* env, jlongArray array, int64_t expected, const char* what) {
    static_assert(sizeof(jlong) == sizeof(int64_t), "jlong");
    if (array == nullptr) {
        throw InvalidArgument(std::string(what) + " must not be null");
    }
    jsize n = env->GetArrayLength(array);
    if (int64_t(n) != expected) {
        throw InvalidArgument(format("%s has %d elements, expected %lld", what, int(n), (long long)expected));
    }
    std::vector<int64_t> out(static_cast<size_t>(n));
    env->GetLongArrayRegion(array, 0, n, reinterpret_cast<jlong*>(out.data()));
    checkJava(env);
    return out;
}

} // namespace lens
