package com.listinglens.api;

import com.listinglens.app.TenantScope;
import jakarta.enterprise.context.RequestScoped;

/**
 * The tenant of the request being handled, as {@link TenantFilters} resolved it once for a {@link TenantScoped}
 * operation, before its body was read.
 */
@RequestScoped
public class RequestTenant {

    /** The header that names the tenant of a {@code /v1/} request (else the path {@code /v1/tenants/{tenant}/...}). */
    public static final String HEADER = "X-Tenant";

    private TenantScope scope;

    public void set(TenantScope scope) {
        this.scope = scope;
    }

    /** The resolved tenant; only within a {@link TenantScoped} operation. */
    public TenantScope get() {
        if (scope == null) {
            throw new IllegalStateException("no tenant was resolved for this request: is the operation @TenantScoped?");
        }
        return scope;
    }
}
