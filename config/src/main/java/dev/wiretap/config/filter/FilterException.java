package dev.wiretap.config.filter;

/** A filter expression that cannot be read: what is wrong, and at which column (1-based) of the text. */
public final class FilterException extends IllegalArgumentException {

    private final int column;

    public FilterException(String message, int column) {
        super("column " + column + ": " + message);
        this.column = column;
    }

    /** 1-based column of the fault in the expression. */
    public int column() {
        return column;
    }
}
