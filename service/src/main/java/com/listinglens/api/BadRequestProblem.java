package com.listinglens.api;

import java.util.List;

/** A request the API refuses, with its problem type, title and status. */
public class BadRequestProblem extends RuntimeException {
    private final String slug;
    private final String title;
    private final int status;
    private final List<String> accepted;

    public BadRequestProblem(String slug, String title, int status, String detail) {
        this(slug, title, status, detail, null);
    }

    /** A refusal whose problem lists {@code accepted} media types (a 415). */
    public BadRequestProblem(String slug, String title, int status, String detail, List<String> accepted) {
        super(detail);
        this.slug = slug;
        this.title = title;
        this.status = status;
        this.accepted = accepted == null ? null : List.copyOf(accepted);
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    public int status() {
        return status;
    }

    /** The media types the problem lists, or null. */
    public List<String> accepted() {
        return accepted;
    }
}
