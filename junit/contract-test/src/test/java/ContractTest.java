import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wiretap.junit.WiretapExtension;
import dev.wiretap.proxy.flow.Flow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ContractTest {
    @RegisterExtension
    static WiretapExtension wiretap = new WiretapExtension(); // 127.0.0.1, a free port, a CA of its own in a temp dir

    @Test
    void mocksAndRecords() throws Exception {
        wiretap.when("host:api.example.test path:/user").respond(200, "application/json", "{\"id\": 1}");
        HttpClient client = HttpClient.newBuilder()
                .proxy(wiretap.proxySelector())
                .sslContext(wiretap.clientSslContext()) // trusts wiretap's CA
                .build();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("https://api.example.test/user")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("{\"id\": 1}", response.body());
        Flow flow = wiretap.awaitFlow("path:/user", Duration.ofSeconds(5));
        assertEquals(200, flow.response().orElseThrow().status());
    }
}
