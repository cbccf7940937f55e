// Listing Lens: JNI entry point of com.listinglens.image.NativeResampler (liblensimage.so).
//
// The Java side checks every argument first (the source Mat's type, size and
// step, the crop window, the taps) and keeps the image open for the call; the
// checks here are a second line of defence. No C++ exception reaches the JVM:
// bad arguments raise IllegalArgumentException, an allocation failure
// OutOfMemoryError, anything else RuntimeException.
#include "resample.h"

#include <jni.h>

#include <new>
#include <string>
#include <vector>

namespace {

void throwJava(JNIEnv* env, const char* cls, const std::string& msg) noexcept {
    if (env->ExceptionCheck()) {
        return;
    }
    jclass c = env->FindClass(cls);
    if (c != nullptr) {
        env->ThrowNew(c, msg.c_str());
    }
}

struct JavaPending {};

std::vector<int32_t> ints(JNIEnv* env, jintArray array, jsize expected, const char* what) {
    if (array == nullptr) {
        throw lensimage::InvalidArgument(std::string(what) + " is null");
    }
    jsize n = env->GetArrayLength(array);
    if (n != expected) {
        throw lensimage::InvalidArgument(std::string(what) + " has " + std::to_string(n) + " values, expected "
                                         + std::to_string(expected));
    }
    std::vector<int32_t> out(static_cast<size_t>(n));
    env->GetIntArrayRegion(array, 0, n, reinterpret_cast<jint*>(out.data()));
    if (env->ExceptionCheck()) {
        throw JavaPending();
    }
    return out;
}

struct AxisTaps {
    std::vector<int32_t> first, count, weights;
    lensimage::Taps taps{};
};

bool readTaps(JNIEnv* env, jintArray first, jintArray count, jintArray weights, jint n, jint stride, const char* axis,
              AxisTaps& out) {
    if (first == nullptr && count == nullptr && weights == nullptr) {
        return false;
    }
    if (n < 1 || stride < 1 || static_cast<int64_t>(n) * stride > (1 << 28)) {
        throw lensimage::InvalidArgument(std::string(axis) + " taps: bad size");
    }
    out.first = ints(env, first, n, "first taps");
    out.count = ints(env, count, n, "tap counts");
    out.weights = ints(env, weights, n * stride, "tap weights");
    out.taps = lensimage::Taps{out.first.data(), out.count.data(), out.weights.data(), n, stride};
    return true;
}

}  // namespace

extern "C" JNIEXPORT void JNICALL Java_com_listinglens_image_NativeResampler_resizeCropNormalize(
    JNIEnv* env, jclass, jlong src, jint w, jint h, jlong step, jint cropX, jint cropY, jint cropW, jint cropH,
    jintArray hFirst, jintArray hCount, jintArray hWeights, jint hStride, jintArray vFirst, jintArray vCount,
    jintArray vWeights, jint vStride, jfloatArray lut, jfloatArray out, jint offset) {
    try {
        if (src == 0) {
            throw lensimage::InvalidArgument("source pixels are null");
        }
        if (step < 0) {
            throw lensimage::InvalidArgument("negative row step");
        }
        AxisTaps horizontal;
        AxisTaps vertical;
        bool hasH = readTaps(env, hFirst, hCount, hWeights, cropW, hStride, "horizontal", horizontal);
        bool hasV = readTaps(env, vFirst, vCount, vWeights, cropH, vStride, "vertical", vertical);
        lensimage::checkArguments(w, h, static_cast<size_t>(step), cropX, cropY, cropW, cropH,
                                  hasH ? &horizontal.taps : nullptr, hasV ? &vertical.taps : nullptr);
        if (lut == nullptr || env->GetArrayLength(lut) != 768) {
            throw lensimage::InvalidArgument("the normalisation table must hold 3 x 256 values");
        }
        std::vector<float> table(768);
        env->GetFloatArrayRegion(lut, 0, 768, table.data());
        if (env->ExceptionCheck()) {
            throw JavaPending();
        }
        if (out == nullptr) {
            throw lensimage::InvalidArgument("output tensor is null");
        }
        int64_t need = static_cast<int64_t>(cropW) * cropH * 3;
        if (offset < 0 || static_cast<int64_t>(offset) + need > env->GetArrayLength(out)) {
            throw lensimage::InvalidArgument("output tensor too short for " + std::to_string(need) + " values at offset "
                                             + std::to_string(offset));
        }
        // no JNI call until it is released: the pass writes straight into the Java array
        auto* dst = static_cast<float*>(env->GetPrimitiveArrayCritical(out, nullptr));
        if (dst == nullptr) {
            throw JavaPending();
        }
        try {
            lensimage::resizeCropNormalize(reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(src)), w, h,
                                           static_cast<size_t>(step), cropX, cropY, cropW, cropH,
                                           hasH ? &horizontal.taps : nullptr, hasV ? &vertical.taps : nullptr,
                                           table.data(), dst + offset);
        } catch (...) {
            env->ReleasePrimitiveArrayCritical(out, dst, JNI_ABORT);
            throw;
        }
        env->ReleasePrimitiveArrayCritical(out, dst, 0);
    } catch (const JavaPending&) {
        // a Java exception is pending
    } catch (const lensimage::InvalidArgument& e) {
        throwJava(env, "java/lang/IllegalArgumentException", e.what());
    } catch (const std::bad_alloc&) {
        throwJava(env, "java/lang/OutOfMemoryError", "native memory allocation failed in the image resampler");
    } catch (const std::exception& e) {
        throwJava(env, "java/lang/RuntimeException", std::string("image resampler: ") + e.what());
    } catch (...) {
        throwJava(env, "java/lang/RuntimeException", "image resampler: unknown native error");
    }
}

extern "C" JNIEXPORT jboolean JNICALL Java_com_listinglens_image_NativeResampler_useSimd(JNIEnv*, jclass, jboolean enabled) {
    return lensimage::useSimd(enabled == JNI_TRUE) ? JNI_TRUE : JNI_FALSE;
}
