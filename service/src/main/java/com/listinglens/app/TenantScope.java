package com.listinglens.app;

import com.listinglens.pipeline.SuggestPipeline;

/**
 * What one request of a tenant runs against, resolved once per request by {@link LensService#scope}: the tenant's
 * name and pool, and, for a request that runs the model, the pipeline. Only {@link LensService} makes one, so holding
 * one means the tenant is served here (and the service was ready, when the pipeline was asked for); the services of
 * this package take it instead of checking again.
 */
public final class TenantScope {

    private final TenantPool tenant;
    private final SuggestPipeline pipeline;

    TenantScope(TenantPool tenant, SuggestPipeline pipeline) {
        this.tenant = tenant;
        this.pipeline = pipeline;
    }

    /** The tenant's name, as configured (lens.tenants). */
    public String name() {
        return tenant.tenant();
    }

    /** The tenant's pool and its synchronisation state. */
    public TenantPool tenant() {
        return tenant;
    }

    /** The pipeline; only for a scope resolved with the model ({@code LensService.scope(name, true)}). */
    public SuggestPipeline pipeline() {
        if (pipeline == null) {
            throw new IllegalStateException("tenant " + name() + " was resolved without the model: this request does not run it");
        }
        return pipeline;
    }

    @Override
    public String toString() {
        return "TenantScope[" + name() + (pipeline == null ? "" : ", with the pipeline") + "]";
    }
}
