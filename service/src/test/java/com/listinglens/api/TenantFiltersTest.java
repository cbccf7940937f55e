package com.listinglens.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.junit.jupiter.api.Test;

/**
 * The tenant paths without a server: which paths are mapped onto which operation, and that every operation of a
 * tenant is declared once, under /v1/, in one of the roots mapped, documenting the tenant's header.
 */
class TenantFiltersTest {

    @Test
    void tenantPathsAreMappedOntoTheOperationsOwnPath() {
        assertThat(TenantFilters.map("/v1/tenants/alpha/suggestions")).isEqualTo(new TenantFilters.Mapped("alpha", "/v1/suggestions"));
        assertThat(TenantFilters.map("/v1/tenants/alpha/suggestions/0a1b/shipping-check"))
                .isEqualTo(new TenantFilters.Mapped("alpha", "/v1/suggestions/0a1b/shipping-check"));
        assertThat(TenantFilters.map("/v1/tenants/beta/search")).isEqualTo(new TenantFilters.Mapped("beta", "/v1/search"));
        // the tenant decoded as a path parameter is: %XX sequences, a '+' kept
        assertThat(TenantFilters.map("/v1/tenants/a%20b/search")).isEqualTo(new TenantFilters.Mapped("a b", "/v1/search"));
        assertThat(TenantFilters.map("/v1/tenants/a+b/search")).isEqualTo(new TenantFilters.Mapped("a+b", "/v1/search"));
        // not a tenant path of an operation of a tenant: left as it is (and answered 404 as any unknown path)
        for (String path : new String[]{"/v1/suggestions", "/v1/search", "/v1/tenants", "/v1/tenants/", "/v1/tenants/alpha",
                "/v1/tenants/alpha/", "/v1/tenants//suggestions", "/v1/tenants/alpha/images/a.jpg", "/v1/tenants/alpha/status",
                "/v1/tenants/alpha/suggestionsx", "/v1/tenants/a%zz/search", "/admin/tenants/alpha/listings", "/v2/tenants/a/search"}) {
            assertThat(TenantFilters.map(path)).as(path).isNull();
        }
    }

    @Test
    void everyOperationOfATenantIsDeclaredOnceUnderAMappedRoot() throws Exception {
        List<String> tenantScoped = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("com.listinglens.api")) {
            if (!c.isAnnotatedWith(Path.class)) {
                continue;
            }
            Class<?> resource = c.reflect();
            String base = resource.getAnnotation(Path.class).value();
            for (Method m : resource.getDeclaredMethods()) {
                if (!m.isAnnotationPresent(POST.class) && !m.isAnnotationPresent(GET.class)) {
                    continue;
                }
                String path = (base + "/" + (m.isAnnotationPresent(Path.class) ? m.getAnnotation(Path.class).value() : ""))
                        .replaceAll("/+", "/");
                String name = resource.getSimpleName() + "." + m.getName() + " (" + path + ")";
                if (path.startsWith("/v1/")) {
                    assertThat(path).as(name + ": declared once, without the tenant in its path").doesNotStartWith("/v1/tenants/");
                }
                String root = path.startsWith("/v1/") ? path.substring(4).split("/")[0] : null;
                boolean scoped = m.isAnnotationPresent(TenantScoped.class);
                assertThat(scoped).as(name + ": @TenantScoped exactly when under a root that TenantFilters maps")
                        .isEqualTo(root != null && TenantFilters.ROOTS.contains(root));
                if (scoped) {
                    tenantScoped.add(name);
                    Parameter header = m.getAnnotation(Parameter.class);
                    assertThat(header).as(name + " documents the tenant's header (TenantPathDocs copies it)").isNotNull();
                    assertThat(header.name()).isEqualTo(RequestTenant.HEADER);
                    assertThat(header.in()).isEqualTo(ParameterIn.HEADER);
                }
            }
        }
        assertThat(tenantScoped).as("suggestions (two bodies), shipping check, search (two bodies), next page").hasSize(6);
    }
}
