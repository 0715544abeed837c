package dev.wiretap.web;

import dev.wiretap.config.file.ConfigPrinter;
import dev.wiretap.config.rule.Rule;
import dev.wiretap.config.rule.RuleAction;
import dev.wiretap.proxy.CaCertificate;
import dev.wiretap.proxy.ConnectionStats;
import dev.wiretap.proxy.Wiretap;
import dev.wiretap.proxy.event.FlowHistory;
import dev.wiretap.proxy.service.ServiceResponse;
import dev.wiretap.proxy.tls.TrustInstructions;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * wiretap's state in the JSON API (docs/web-api.md): {@code GET /api/rules} (the rules in force, live after each config
 * reload, with how many flows each applied to), {@code GET /api/stats} (flows, bytes each way, connections on each
 * side, the pool's reuse, the flow store's memory), and {@code GET /api/ca} (wiretap's CA certificate and how to trust
 * it, as http://wiretap/ shows) with the certificate itself at {@code /api/ca/wiretap-ca.pem} and
 * {@code /api/ca/wiretap-ca.cer}. Read fresh for each request; called on the UI's connection threads.
 */
final class StateApi {

    private final Wiretap wiretap;
    private final TrafficCounts counts;
    private final Optional<Path> configFile;
    private final Instant countingSince = Instant.now();

    StateApi(Wiretap wiretap, TrafficCounts counts, Optional<Path> configFile) {
        this.wiretap = wiretap;
        this.counts = counts;
        this.configFile = configFile;
    }

    /** {@code GET /api/rules}. */
    ServiceResponse rules() {
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            if (configFile.isPresent()) {
                g.writeStringField("configFile", configFile.get().toString());
            } else {
                g.writeNullField("configFile");
            }
            g.writeStringField("countedSince", countingSince.toString());
            g.writeArrayFieldStart("rules");
            for (Rule rule : wiretap.rules()) {
                g.writeStartObject();
                g.writeStringField("name", rule.name());
                g.writeStringField("match", rule.match().toString());
                g.writeStringField("yaml", yaml(rule));
                g.writeNumberField("applied", counts.appliedCount(rule.name()));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * The rule as config YAML, as {@code wiretap config} prints it; but a {@code respond} body that is not text (a
     * compressed or binary mock, read from its {@code body_file}) is left out and named in a comment, as YAML cannot
     * show its bytes.
     */
    static String yaml(Rule rule) {
        List<String> binary = new ArrayList<>();
        List<RuleAction> shown = new ArrayList<>(rule.actions().size());
        for (RuleAction action : rule.actions()) {
            if (action instanceof RuleAction.Respond r && !isText(r.body())) {
                binary.add("    # respond: its body, " + r.body().length + " bytes, is not text (the config names it with body_file:)\n");
                shown.add(new RuleAction.Respond(r.status(), r.headers(), new byte[0]));
            } else {
                shown.add(action);
            }
        }
        String yaml = ConfigPrinter.ruleYaml(binary.isEmpty() ? rule : new Rule(rule.name(), rule.match(), shown));
        return yaml + String.join("", binary);
    }

    /** UTF-8 without control characters but tab, CR and LF. */
    private static boolean isText(byte[] body) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(body)).toString();
            return text.chars().allMatch(c -> c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** {@code GET /api/stats}. */
    ServiceResponse stats() {
        ConnectionStats s = wiretap.stats();
        FlowHistory store = wiretap.history();
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("flows");
            g.writeNumberField("seen", s.flows());
            g.writeNumberField("held", store.size());
            g.writeNumberField("evicted", store.evictedCount());
            g.writeNumberField("inFlight", counts.inFlight());
            g.writeNumberField("paused", wiretap.intercept().paused().size());
            g.writeEndObject();
            g.writeObjectFieldStart("bytes");
            g.writeNumberField("fromClients", counts.bytesFromClients());
            g.writeNumberField("toClients", counts.bytesToClients());
            g.writeEndObject();
            g.writeObjectFieldStart("clients");
            g.writeNumberField("accepted", s.clientAccepted());
            g.writeNumberField("open", s.clientOpen());
            g.writeNumberField("max", s.clientMax());
            g.writeNumberField("refused", s.clientRefused());
            g.writeEndObject();
            g.writeObjectFieldStart("upstream");
            g.writeNumberField("opened", s.upstreamOpened());
            g.writeNumberField("reused", s.upstreamReused());
            g.writeNumberField("idle", s.upstreamIdle());
            g.writeEndObject();
            g.writeObjectFieldStart("memory");
            g.writeNumberField("storeUsed", store.usedBytes());
            g.writeNumberField("storeBudget", store.budgetBytes());
            g.writeNumberField("captureInFlight", s.captureInFlight());
            g.writeNumberField("captureBudget", s.captureBudget());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** {@code GET /api/ca}: the certificate's facts, where to download it, and how to trust it, client by client. */
    ServiceResponse ca() {
        Optional<CaCertificate> authority = wiretap.certificateAuthority();
        if (authority.isEmpty()) {
            return JsonBody.response(200, g -> {
                g.writeStartObject();
                g.writeBooleanField("httpsInterception", false);
                g.writeStringField("message", "HTTPS interception is off (--no-intercept): wiretap has no CA in use,"
                        + " and tunnels pass untouched");
                g.writeEndObject();
            });
        }
        CaCertificate ca = authority.get();
        String proxy = wiretap.address().getAddress().getHostAddress() + ":" + wiretap.address().getPort();
        TrustInstructions instructions = TrustInstructions.of(ca.certificate(), ca.certificateFile(), proxy);
        return JsonBody.response(200, g -> {
            g.writeStartObject();
            g.writeBooleanField("httpsInterception", true);
            g.writeStringField("file", ca.certificateFile().toAbsolutePath().toString());
            g.writeStringField("subject", ca.certificate().getSubjectX500Principal().getName());
            g.writeStringField("validUntil", instructions.validUntil());
            g.writeStringField("fingerprint", ca.fingerprint());
            g.writeStringField("intro", TrustInstructions.intro());
            g.writeObjectFieldStart("downloads");
            g.writeStringField("pem", "/api/ca/wiretap-ca.pem");
            g.writeStringField("der", "/api/ca/wiretap-ca.cer");
            g.writeEndObject();
            g.writeArrayFieldStart("clients");
            for (TrustInstructions.Client client : instructions.clients()) {
                g.writeStartObject();
                g.writeStringField("name", client.name());
                FlowSummary.nullable(g, "note", client.note());
                g.writeArrayFieldStart("commands");
                for (String command : client.commands()) {
                    g.writeString(command);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * {@code /api/ca/wiretap-ca.pem} (PEM, for tools) or {@code /api/ca/wiretap-ca.cer} (DER, which browsers and phones
     * offer to install), as a download; 404 when interception is off.
     */
    ServiceResponse certificate(String name) throws ApiException {
        CaCertificate ca = wiretap.certificateAuthority().orElseThrow(() -> new ApiException(404,
                "HTTPS interception is off (--no-intercept): there is no CA certificate"));
        ServiceResponse file = switch (name) {
            case "wiretap-ca.pem" -> ServiceResponse.of(200, "application/x-pem-file",
                    ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
            case "wiretap-ca.cer" -> ServiceResponse.of(200, "application/x-x509-ca-cert", ca.certificateDer());
            default -> throw new ApiException(404, "no such certificate file: " + name
                    + " (there are wiretap-ca.pem and wiretap-ca.cer)");
        };
        return StaticAssets.secured(file).with("Content-Disposition", "attachment; filename=\"" + name + "\"");
    }
}
