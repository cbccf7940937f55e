/**
 * One suggestion's path through the core: decode, views, embed, search, suggest (SuggestPipeline), with stage
 * timings. No HTTP, no caching, no storage.
 */
package com.listinglens.pipeline;
