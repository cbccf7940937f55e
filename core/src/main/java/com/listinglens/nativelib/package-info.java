/**
 * Loading the project's JNI libraries bundled in the jar (BundledLibrary). Nothing else.
 */
package com.listinglens.nativelib;
