package com.listinglens.api;

import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import java.util.List;

/**
 * The fields of a search by photo as query parameters: how a search with one photo as the request body sends them
 * (a multipart search sends the same fields as form fields).
 */
public class SearchQuery {

    private static final String AS_FIELD = "With one photo as the request body: the multipart form's field of this name";

    @QueryParam("category")
    @Parameter(description = AS_FIELD + " (a category path prefix, 'Fruit/Apple')")
    public String category;

    @QueryParam("brand")
    @Parameter(description = AS_FIELD + " (repeatable)")
    public List<String> brands;

    @QueryParam("minPrice")
    @Parameter(description = AS_FIELD)
    public String minPrice;

    @QueryParam("maxPrice")
    @Parameter(description = AS_FIELD)
    public String maxPrice;

    @QueryParam("exclude")
    @Parameter(description = AS_FIELD + " (listing ids, repeatable or comma-separated)")
    public List<String> exclude;

    @QueryParam("limit")
    @Parameter(description = AS_FIELD + " (page size)")
    public String limit;

    @QueryParam("offset")
    @Parameter(description = AS_FIELD)
    public String offset;
}
