package com.listinglens.app;

import java.util.List;

/** The JSON answer of {@code POST /admin/pools/reload} (and of one tenant's reload): what the reload did, tenant by tenant. */
public record ReloadResponse(List<PoolSync.Outcome> tenants) {
}
