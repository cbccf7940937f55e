package com.listinglens.api;

/** A request the API refuses, with its problem type, title and status. */
public class BadRequestProblem extends RuntimeException {
    private final String slug;
    private final String title;
    private final int status;

    public BadRequestProblem(String slug, String title, int status, String detail) {
        super(detail);
        this.slug = slug;
        this.title = title;
        this.status = status;
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
}
