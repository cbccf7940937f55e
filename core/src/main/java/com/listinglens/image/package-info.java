/**
 * Bytes to a decoded, checked RGB image and its tensors: header checks before allocation, decoding (TurboJPEG,
 * OpenCV, the JDK's GIF reader) within a memory budget (DecodeBudget), Pillow-exact resizing (native), views, colour
 * naming. Knows nothing of models or pools.
 */
package com.listinglens.image;
