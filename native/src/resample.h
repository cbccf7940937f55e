// Listing Lens: model input from decoded pixels (liblensimage.so).
//
// Pillow's antialiased bilinear resize (libImaging/Resample.c: a horizontal
// pass rounded to 8 bits, then a vertical pass, 22-bit fixed-point weights),
// restricted to a crop window, fused with the per-channel normalisation and
// the HWC -> CHW layout of the model's float32 input. The filter taps come
// from the caller (com.listinglens.image.PilResampler computes and caches
// them), so this file holds no resampling maths of its own: the Java resampler
// and this one are the same arithmetic, checked bit for bit by
// NativeResamplerTest.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace lensimage {

// A caller error: reported as IllegalArgumentException, nothing is touched.
struct InvalidArgument : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Filter taps of one axis for n output positions: position o reads inputs
// first[o] .. first[o] + count[o] - 1 with weights[o * stride .. + count[o]).
struct Taps {
    const int32_t* first;
    const int32_t* count;
    const int32_t* weights;
    int n;
    int stride;
};

// Checks taps against an input axis of inSize pixels (throws InvalidArgument).
void checkTaps(const Taps& taps, int inSize, const char* axis);

// Fixed-point precision of the weights (Pillow's PRECISION_BITS).
constexpr int kPrecisionBits = 32 - 8 - 2;

// Resizes the w x h interleaved RGB image at src (rows `step` bytes apart),
// keeps the crop window [cropX, cropX + cropW) x [cropY, cropY + cropH) of the
// result and writes it normalised as CHW float32 to out (3 * cropW * cropH
// values): out[c * cropW * cropH + y * cropW + x] = lut[c * 256 + value].
// horizontal / vertical null: that axis keeps its size (the window is then
// read directly from the source). All arguments must have been checked with
// checkArguments first.
void resizeCropNormalize(const uint8_t* src, int w, int h, size_t step, int cropX, int cropY, int cropW, int cropH,
                         const Taps* horizontal, const Taps* vertical, const float* lut, float* out);

// Whether the horizontal pass may use its SSE4.1 form (default true; the tests turn it off to check the scalar form
// against the same reference). Returns whether this CPU and build have that form at all.
bool useSimd(bool enabled);

// Every check resizeCropNormalize relies on (throws InvalidArgument).
void checkArguments(int w, int h, size_t step, int cropX, int cropY, int cropW, int cropH, const Taps* horizontal,
                    const Taps* vertical);

}  // namespace lensimage
