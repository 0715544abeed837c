package dev.wiretap.web;

import dev.wiretap.proxy.service.ServiceResponse;

/**
 * A request the API refuses, with the answer that says why ({@link ApiError}: a status and a JSON object): a parameter
 * that cannot be read, a flow that is not held, an action the flow is not in a state for. Thrown where the fault is
 * found, answered by {@link WebRoutes}. Carries no stack trace: it is an answer, not a bug.
 */
final class ApiException extends Exception {

    private final transient ServiceResponse answer;

    ApiException(int status, String message) {
        this(ApiError.of(status, message));
    }

    ApiException(ServiceResponse answer) {
        super(null, null, false, false);
        this.answer = answer;
    }

    ServiceResponse answer() {
        return answer;
    }
}
