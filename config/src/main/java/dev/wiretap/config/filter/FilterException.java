package dev.wiretap.config.filter;

/** A filter expression that cannot be read: what is wrong, and at which column (1-based) of the text. */
public final class FilterException extends IllegalArgumentException {

    private final int column;

    public FilterException(String message, int column) {
        super("column " + column + ": " + message);
        this.column = column;
    }

    /**
     * A caret under the fault, to print beneath the expression: spaces up to the column, then {@code ^} (at most one
     * past the expression's end).
     */
    public String caretUnder(String expression) {
        return " ".repeat(Math.max(0, Math.min(column, expression.length() + 1) - 1)) + "^";
    }

    /** 1-based column of the fault in the expression. */
    public int column() {
        return column;
    }
}
