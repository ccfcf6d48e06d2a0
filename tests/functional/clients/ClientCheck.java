import static com.github.tomakehurst.wiremock.client.WireMock.*;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.RequestMethod;
import org.wiremock.webhooks.Webhooks;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** WireMock's own Java client against a server: every call must succeed. */
public class ClientCheck {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static int send(String base, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        b.method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("{\"a\":1}"));
        b.header("Content-Type", "application/json");
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
        System.out.println("ok " + what);
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String base = "http://127.0.0.1:" + port;
        WireMock wm = new WireMock("127.0.0.1", port);
        wm.resetToDefaultMappings();
        wm.register(get(urlPathEqualTo("/java/hello")).willReturn(okJson("{\"hi\":1}")));
        wm.register(post(urlEqualTo("/java/post")).withRequestBody(equalToJson("{\"a\":1}"))
                .willReturn(aResponse().withStatus(201)));
        check(send(base, "GET", "/java/hello") == 200, "stub created and served");
        wm.register(get(urlPathEqualTo("/java/hook")).willReturn(ok())
                .withServeEventListener("webhook", Webhooks.webhook()
                        .withMethod(RequestMethod.POST).withUrl(base + "/java/post")
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"a\":1}")));
        check(send(base, "GET", "/java/hook") == 200, "stub with a webhook served");
        boolean answered = false;
        for (int i = 0; i < 100 && !answered; i++) {
            answered = wm.find(postRequestedFor(urlEqualTo("/java/post"))).size() == 1;
            if (!answered) Thread.sleep(50);
        }
        check(answered, "webhook received");
        check(wm.getServeEvents().stream().anyMatch(e -> e.getSubEvents().stream()
                .anyMatch(s -> s.getType().equals("WEBHOOK_RESPONSE"))), "webhook sub-events read");
        check(send(base, "POST", "/java/post") == 201, "body-matched stub served");
        for (int i = 0; i < 6; i++) send(base, "GET", "/java/hello?n=" + i);  // evicts (bound 5)
        send(base, "GET", "/java/missing");
        wm.verifyThat(moreThanOrExactly(1), getRequestedFor(urlPathEqualTo("/java/hello")));
        check(true, "verify after evictions");
        List<ServeEvent> events = wm.getServeEvents();
        check(!events.isEmpty(), "getAllServeEvents: " + events.size());
        check(wm.find(getRequestedFor(urlPathEqualTo("/java/hello"))).size() >= 1, "find");
        check(wm.findAllUnmatchedRequests().size() == 1, "unmatched requests");
        check(wm.findNearMissesForAllUnmatchedRequests().size() >= 1, "near misses");
        check(wm.allStubMappings().getMappings().size() == 3, "list stubs");
        wm.startStubRecording(base + "/java");
        check(wm.getStubRecordingStatus().getStatus().name().equals("Recording"), "recording");
        check(wm.stopStubRecording().getStubMappings() != null, "stop recording");
        check(wm.takeSnapshotRecording(recordSpec().allowNonProxied(true).makeStubsPersistent(false))
                .size() >= 1, "snapshot");
        wm.resetRequests();
        check(wm.getServeEvents().isEmpty(), "journal reset");
        wm.resetMappings();
        check(wm.allStubMappings().getMappings().isEmpty(), "stubs reset");
        System.out.println("ALL OK");
    }
}
