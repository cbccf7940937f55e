package com.listinglens.api;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI document's tenant paths: every operation of a tenant is declared once, under {@code /v1/}, and
 * documents the {@value RequestTenant#HEADER} header; {@link TenantFilters} also answers it at
 * {@code /v1/tenants/{tenant}/...}. This filter adds that form to the document: a copy of each such operation with
 * the tenant as a path parameter in place of the header.
 */
@OpenApiFilter
public class TenantPathDocs implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        Map<String, PathItem> added = new LinkedHashMap<>();
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/v1/") || item.getOperations() == null) {
                return;
            }
            PathItem tenantItem = null;
            for (Map.Entry<PathItem.HttpMethod, Operation> e : item.getOperations().entrySet()) {
                Parameter header = tenantHeader(e.getValue());
                if (header == null) {
                    continue;
                }
                if (tenantItem == null) {
                    tenantItem = OASFactory.createPathItem();
                }
                tenantItem.setOperation(e.getKey(), forTenant(e.getKey() + " " + path, e.getValue(), header));
            }
            if (tenantItem != null) {
                added.put(TenantFilters.PREFIX + "{tenant}/" + path.substring("/v1/".length()), tenantItem);
            }
        });
        added.forEach(openAPI.getPaths()::addPathItem);
    }

    /** The operation's tenant header parameter, or null: it is no operation of a tenant. */
    private static Parameter tenantHeader(Operation op) {
        if (op.getParameters() == null) {
            return null;
        }
        for (Parameter p : op.getParameters()) {
            if (isTenantHeader(p)) {
                return p;
            }
        }
        return null;
    }

    private static boolean isTenantHeader(Parameter p) {
        return p.getIn() == Parameter.In.HEADER && RequestTenant.HEADER.equalsIgnoreCase(p.getName());
    }

    /** The operation with the tenant in the path instead of the header; the rest is the same. */
    private static Operation forTenant(String declared, Operation op, Parameter header) {
        List<Parameter> parameters = new ArrayList<>();
        parameters.add(OASFactory.createParameter().name("tenant").in(Parameter.In.PATH).required(true)
                .description("The tenant (marketplace) whose listings answer").schema(header.getSchema()));
        for (Parameter p : op.getParameters()) {
            if (!isTenantHeader(p)) {
                parameters.add(p);
            }
        }
        return OASFactory.createOperation()
                .summary(op.getSummary() == null ? null : op.getSummary() + " (tenant in the path)")
                .description("As " + declared + ", with the tenant in the path instead of the " + RequestTenant.HEADER
                        + " header." + (op.getDescription() == null ? "" : " " + op.getDescription()))
                .operationId(op.getOperationId() == null ? null : op.getOperationId() + "ForTenant")
                .tags(op.getTags())
                .parameters(parameters)
                .requestBody(op.getRequestBody())
                .responses(op.getResponses())
                .deprecated(op.getDeprecated())
                .externalDocs(op.getExternalDocs());
    }
}
