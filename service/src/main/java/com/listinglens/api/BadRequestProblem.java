package com.listinglens.api;

/** A request the API refuses, with its problem type, title and status. */
public class BadRequestProblem extends RuntimeException {
    private final String slug;
    private final String title;
    private final int status;
    private final java.util.List<String> accepted;

    public BadRequestProblem(String slug, String title, int status, String detail) {
        this(slug, title, status, detail, null);
    }

    /** A refusal whose problem lists {@code accepted} media types (a 415). */
    public BadRequestProblem(String slug, String title, int status, String detail, java.util.List<String> accepted) {
        super(detail);
        this.slug = slug;
        this.title = title;
        this.status = status;
        this.accepted = accepted == null ? null : java.util.List.copyOf(accepted);
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
    public java.util.List<String> accepted() {
        return accepted;
    }
}
