package com.listinglens.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminAccessTest {

    private final AdminAccess access = new AdminAccess(Optional.of("op-secret"), Map.of("alpha", "alpha-secret", "beta", " "));

    @Test
    void theTenantOfAnAdminPath() {
        assertThat(AdminAccess.tenantOf("/admin/tenants/alpha/changes")).contains("alpha");
        assertThat(AdminAccess.tenantOf("/admin/tenants/alpha/listings/x-1")).contains("alpha");
        assertThat(AdminAccess.tenantOf("/admin/pools/alpha/reload")).contains("alpha");
        assertThat(AdminAccess.tenantOf("/admin/pools/reload")).isEmpty();
        assertThat(AdminAccess.tenantOf("/admin/tenants")).isEmpty();
        assertThat(AdminAccess.tenantOf("/admin/pools/alpha/other")).isEmpty();
    }

    @Test
    void theOperatorOpensEverythingATenantItsOwnRoutes() {
        assertThat(access.check("/admin/pools/reload", "Bearer op-secret")).isNull();
        assertThat(access.check("/admin/tenants/alpha/changes", "Bearer op-secret")).isNull();
        assertThat(access.check("/admin/tenants/alpha/changes", "Bearer alpha-secret")).isNull();
        assertThat(access.check("/admin/pools/alpha/reload", "Bearer alpha-secret")).isNull();
        assertThat(access.check("/admin/tenants/gamma/changes", "Bearer alpha-secret")).isEqualTo("this token does not open this route");
        assertThat(access.check("/admin/pools/reload", "Bearer alpha-secret")).isEqualTo("this token does not open this route");
        // a blank tenant token is no token
        assertThat(access.check("/admin/tenants/beta/changes", "Bearer  ")).isNotNull();
        assertThat(access.check("/admin/tenants/alpha/changes", null)).contains("Bearer");
        assertThat(access.check("/admin/tenants/alpha/changes", "Basic b3A6c2VjcmV0")).contains("Bearer");
    }

    @Test
    void withoutTokensEveryRouteIsClosed() {
        AdminAccess closed = new AdminAccess(Optional.empty(), Map.of());
        for (String path : new String[]{"/admin/pools/reload", "/admin/pools/alpha/reload", "/admin/tenants/alpha/changes",
                "/admin/tenants/alpha/listings/x"}) {
            assertThat(closed.check(path, "Bearer anything")).contains("closed");
            assertThat(closed.check(path, null)).contains("closed");
        }
        AdminAccess tenantOnly = new AdminAccess(Optional.of(""), Map.of("alpha", "a"));
        assertThat(tenantOnly.check("/admin/pools/reload", "Bearer a")).contains("closed");
        assertThat(tenantOnly.check("/admin/tenants/alpha/changes", "Bearer a")).isNull();
    }

    @Test
    void refusalsNameNoTenantAndNoToken() {
        for (String why : new String[]{access.check("/admin/tenants/alpha/changes", "Bearer nope"), access.check("/admin/pools/reload", null)}) {
            assertThat(why).doesNotContain("alpha").doesNotContain("secret");
        }
        assertThat(access.toString()).doesNotContain("secret");
    }
}
