/**
 * The HTTP layer: thin JAX-RS resources, the router filters that run before bodies are read (RequestIds, AdminGate,
 * Admission), problem bodies (RFC 7807), health checks. Resources call app; they hold no business logic.
 */
package com.listinglens.api;
