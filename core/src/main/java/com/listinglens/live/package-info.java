/**
 * Live listing changes between pool builds: the change log (RedisChangeLog) and its replay onto the served pools
 * (LiveSync). Knows nothing of HTTP.
 */
package com.listinglens.live;
