/**
 * Redis as the service uses it (RedisStore, RedisSettings, CacheKeys): the key layout of cached answers, sessions,
 * cursors and change logs. Knows nothing of HTTP or of what the cached values mean.
 */
package com.listinglens.cache;
