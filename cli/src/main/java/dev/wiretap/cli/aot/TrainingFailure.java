package dev.wiretap.cli.aot;

/** A training run that could not do what it set out to: which step, and why. The run stops; no cache is written. */
final class TrainingFailure extends Exception {

    TrainingFailure(String message) {
        super(message);
    }

    TrainingFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
