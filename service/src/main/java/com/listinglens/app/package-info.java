/**
 * The running service: model and pools loaded and swapped (LensService, PoolSync), the inference path chosen at start
 * (ServingModel), suggestions and searches with caching and sessions, and their answer types. Must not depend on api
 * or on JAX-RS.
 */
package com.listinglens.app;
