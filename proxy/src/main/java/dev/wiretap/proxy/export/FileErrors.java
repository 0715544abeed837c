package dev.wiretap.proxy.export;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * File errors said for people: the JDK's file exceptions carry the path alone as their message
 * ({@code NoSuchFileException: /tmp/x}); the exporters rethrow them as {@code cannot write FILE: no such directory}.
 * Stateless.
 */
final class FileErrors {

    private FileErrors() {
    }

    /** An IOException whose message says what could not be done to {@code file} and why. */
    static IOException explain(String doing, Path file, IOException e) {
        if (e instanceof FlowFileException) {
            return e;
        }
        String why;
        if (e instanceof NoSuchFileException) {
            why = doing.equals("read") ? "no such file" : "no such directory";
        } else if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof NotDirectoryException) {
            why = "not a directory";
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            why = f.getReason();
        } else {
            why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new IOException("cannot " + doing + " " + file + ": " + why, e);
    }
}
