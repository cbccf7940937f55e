/**
 * The HTTP layer: thin JAX-RS resources, the router filters that run before bodies are read (RequestIds, AdminGate,
 * Admission), the JAX-RS filters that map a tenant's path onto its one operation and resolve the tenant once
 * (TenantFilters), problem bodies (RFC 7807), health checks. Resources call app; they hold no business logic.
 */
package com.listinglens.api;
