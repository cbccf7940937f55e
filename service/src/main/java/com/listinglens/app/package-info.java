/**
 * The running service: model and pools loaded and swapped (LensService, PoolSync), the inference path chosen at start
 * (ServingModel), a request's tenant resolved once (TenantScope), suggestions and searches with caching and sessions,
 * their answer types and their stage timers (StageTimers). Must not depend on api or on JAX-RS.
 */
package com.listinglens.app;
