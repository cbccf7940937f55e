package com.listinglens.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An operation of one tenant, declared once under {@code /v1/}: {@link TenantFilters} maps its
 * {@code /v1/tenants/{tenant}/...} form onto it and resolves the tenant (path, else the {@code X-Tenant} header, else
 * lens.default-tenant) before its body is read; the method reads the result from {@link RequestTenant}. The
 * {@link TenantPathDocs OpenAPI document} shows both forms; the method documents the header with
 * {@code @Parameter(name = RequestTenant.HEADER, in = ParameterIn.HEADER, ...)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface TenantScoped {

    /**
     * The operation runs the model: a service that is not ready yet is refused (503 {@code not-ready}) before the
     * tenant is looked up. False for an operation that needs the tenant's state only (the shipping check).
     */
    boolean model() default true;
}
