package dev.wiretap.cli;

/** How the headless log writes each finished exchange: a line for people, or a JSON object for programs. */
enum LogFormat {
    /** One readable line per exchange ({@link LogLine}). */
    TEXT,
    /** One JSON object per exchange on a line of its own ({@link JsonLogLine}); notices go to standard error. */
    JSON
}
