package dev.wiretap.web;

import dev.wiretap.config.file.ConfigLoader;
import dev.wiretap.config.file.RulesBlock;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.edit.EditedRequest;
import dev.wiretap.proxy.edit.HttpMessageText;
import dev.wiretap.proxy.edit.MessageTextException;
import dev.wiretap.proxy.flow.Flow;
import dev.wiretap.proxy.mock.FlowMock;
import dev.wiretap.proxy.mock.MockWriter;
import dev.wiretap.proxy.service.ServiceException;
import dev.wiretap.proxy.service.ServiceRequest;
import dev.wiretap.proxy.service.ServiceResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the UI does with a recorded flow (docs/web-api.md), on the engine's own features, as the console does:
 *
 * <ul>
 * <li>{@code GET /api/flows/{n}/request-text}: the request as HTTP text, for editing before a replay;</li>
 * <li>{@code POST /api/flows/{n}/replay}: sends it again as a new flow ({@link Wiretap#replay}), as recorded, or as
 *     the edited text in the body says;</li>
 * <li>{@code GET /api/flows/{n}/mock}: the flow as a rule that answers its request with its response
 *     ({@link FlowMock}), as YAML; {@code POST} adds that rule to the config file ({@link MockWriter}), as the
 *     console's {@code mock N --write}.</li>
 * </ul>
 *
 * Called on the UI's connection threads; adding to the config file is one writer at a time.
 */
final class FlowActions {

    private final Wiretap wiretap;
    private final Optional<Path> configFile;
    /** Guards the config file while a mock is added to it, so two browsers' additions do not overwrite each other. */
    private final ReentrantLock configWrites = new ReentrantLock();

    /** @param configFile the config file wiretap started with (and watches), if any */
    FlowActions(Wiretap wiretap, Optional<Path> configFile) {
        this.wiretap = wiretap;
        this.configFile = configFile;
    }

    /** {@code GET /api/flows/{n}/request-text}: the request as the console's {@code replay -e} opens it. */
    ServiceResponse requestText(String number) throws ApiException {
        Flow flow = FlowsApi.held(wiretap, number);
        if (flow.request().isMethod("CONNECT")) {
            throw new ApiException(409, "flow " + flow.id() + " is a CONNECT tunnel; replay the requests inside it");
        }
        boolean whole = !flow.request().body().isTruncated();
        String text = wiretap.messageText().request(flow.request(), whole);
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeNumberField("id", flow.id());
            g.writeStringField("text", text);
            g.writeBooleanField("bodyEditable", whole);
            g.writeEndObject();
        });
    }

    /**
     * {@code POST /api/flows/{n}/replay}: with no body, the request as recorded; with one, the edited request text
     * (checked first: a mistake is a 400 with its line). Answers 202 at once; the replay is a new flow, marked
     * {@code replayOf} n, that the list shows as it goes.
     */
    ServiceResponse replay(String number, ServiceRequest request) throws IOException, ServiceException, ApiException {
        Flow original = FlowsApi.held(wiretap, number);
        String text = ApiInput.text(request);
        Optional<EditedRequest> edit = Optional.empty();
        if (!text.isEmpty()) {
            HttpMessageText messages = wiretap.messageText();
            try {
                edit = Optional.of(messages.parseRequest(text));
            } catch (MessageTextException e) {
                throw InterceptApi.textMistake(e);
            }
        }
        try {
            wiretap.replay(original, edit);
        } catch (IllegalArgumentException e) {
            throw new ApiException(409, "cannot replay flow " + original.id() + ": " + e.getMessage());
        }
        boolean edited = edit.isPresent();
        return JsonBody.response(202, g -> {
            g.writeStartObject();
            g.writeNumberField("replaying", original.id());
            g.writeBooleanField("edited", edited);
            g.writeEndObject();
        });
    }

    /** {@code GET /api/flows/{n}/mock}: the rule as config text, and where its body would go. */
    ServiceResponse mock(String number) throws ApiException {
        FlowMock mock = mockOf(number);
        String yaml = RulesBlock.withRule("", mock.rule(mock.bodyFileName()).yaml());
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeStringField("rule", mock.ruleName());
            g.writeStringField("yaml", yaml);
            g.writeBooleanField("inlineBody", mock.hasInlineBody());
            if (mock.hasInlineBody()) {
                g.writeNullField("bodyFile");
            } else {
                g.writeStringField("bodyFile", mock.bodyFileName());
            }
            g.writeStringField("config", target().toString());
            g.writeArrayFieldStart("notes");
            for (String note : mock.notes()) {
                g.writeString(note);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * {@code POST /api/flows/{n}/mock}: adds the rule after the last rule of the config file wiretap started with (its
     * reload applies it); without one, makes or adds to {@code config.yaml} in the config directory and applies its
     * rules at once (no watcher follows a file that was not there at start), as the console's {@code mock N --write}.
     */
    ServiceResponse writeMock(String number) throws ApiException {
        FlowMock mock = mockOf(number);
        Path target = target();
        MockWriter.Written written;
        configWrites.lock();
        try {
            written = MockWriter.write(mock, target);
            if (configFile.isEmpty()) {
                wiretap.updateRules(written.rules());
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new ApiException(409, "mock not written to " + target + ": " + e.getMessage());
        } finally {
            configWrites.unlock();
        }
        boolean now = configFile.isEmpty();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeStringField("rule", mock.ruleName());
            g.writeStringField("config", written.config().toString());
            g.writeBooleanField("created", written.created());
            if (written.bodyFile().isPresent()) {
                g.writeStringField("bodyFile", written.bodyFile().get().toString());
            } else {
                g.writeNullField("bodyFile");
            }
            g.writeStringField("inForce", now ? "now" : "on reload");
            g.writeStringField("message", (written.created() ? "made " + written.config() + " with rule '" + mock.ruleName() + "'"
                    : "added rule '" + mock.ruleName() + "' to " + written.config())
                    + written.bodyFile().map(f -> " (its body in " + f + ")").orElse("")
                    + (now ? "; in force now. wiretap started without a config file: it reads this one from its next start on"
                            : "; the config reload applies it"));
            g.writeEndObject();
        });
    }

    private FlowMock mockOf(String number) throws ApiException {
        Flow flow = FlowsApi.held(wiretap, number);
        try {
            return FlowMock.of(flow);
        } catch (IllegalArgumentException e) {
            throw new ApiException(409, "no mock for " + e.getMessage());
        }
    }

    /** The config file a mock goes to: the one wiretap started with, else config.yaml in its config directory. */
    private Path target() {
        return configFile.orElseGet(() -> ConfigLoader.defaultFile(wiretap.settings().tls().configDir()));
    }
}
