package dev.wiretap.cli.console;

/** A command could not do what was asked: the message is shown to the user as it is, in place of a result. */
final class CommandException extends Exception {

    CommandException(String message) {
        super(message, null, false, false);
    }
}
