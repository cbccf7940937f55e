package com.listinglens.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may call an admin route (no I/O): the operator's token opens every admin route; a tenant's token opens that
 * tenant's routes only (/admin/tenants/&lt;tenant&gt;/..., /admin/pools/&lt;tenant&gt;/reload); a route of all tenants
 * (/admin/pools/reload) is the operator's. No token configured for a route: closed. Tokens are compared in constant
 * time, and the refusals never name a tenant or a token.
 *
 * <pre>{@code
 * AdminAccess access = new AdminAccess(Optional.of(operator), Map.of("alpha", alphaToken));
 * access.check("/admin/tenants/alpha/changes", "Bearer " + alphaToken);   // null: allowed
 * access.check("/admin/pools/reload", "Bearer " + alphaToken);           // "this token does not open this route"
 * }</pre>
 */
public final class AdminAccess {

    private static final String BEARER = "Bearer ";

    private final byte[] operator;
    private final Map<String, byte[]> tenants;

    public AdminAccess(Optional<String> operatorToken, Map<String, String> tenantTokens) {
        this.operator = operatorToken.filter(t -> !t.isBlank()).map(t -> t.strip().getBytes(StandardCharsets.UTF_8)).orElse(null);
        Map<String, byte[]> m = new HashMap<>();
        tenantTokens.forEach((tenant, token) -> {
            if (token != null && !token.isBlank()) {
                m.put(tenant, token.strip().getBytes(StandardCharsets.UTF_8));
            }
        });
        this.tenants = Map.copyOf(m);
    }

    /**
     * The tenant an admin path concerns, or empty for routes of every tenant. The path must be normalised
     * (no "." or ".." segments, no empty ones).
     */
    static Optional<String> tenantOf(String path) {
        String[] s = path.split("/");
        // "", "admin", "tenants", t, ...   or   "", "admin", "pools", t, "reload"
        if (s.length >= 4 && s[1].equals("admin") && s[2].equals("tenants") && !s[3].isEmpty()) {
            return Optional.of(s[3]);
        }
        if (s.length == 5 && s[1].equals("admin") && s[2].equals("pools") && s[4].equals("reload") && !s[3].isEmpty()) {
            return Optional.of(s[3]);
        }
        return Optional.empty();
    }

    /** Why the request may not call {@code path}, or null when it may. */
    public String check(String path, String authorization) {
        Optional<String> tenant = tenantOf(path);
        byte[] tenantToken = tenant.map(tenants::get).orElse(null);
        if (operator == null && tenantToken == null) {
            return "admin endpoints are closed: no admin token is configured for this route (lens.admin.token, lens.admin.tenant-tokens)";
        }
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return "send 'Authorization: Bearer <token>'";
        }
        byte[] given = authorization.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = (operator != null && MessageDigest.isEqual(given, operator))
                | (tenantToken != null && MessageDigest.isEqual(given, tenantToken));
        return ok ? null : "this token does not open this route";
    }

    @Override
    public String toString() {
        return "AdminAccess[operator token " + (operator == null ? "none" : "set") + ", " + tenants.size() + " tenant tokens]";
    }
}
