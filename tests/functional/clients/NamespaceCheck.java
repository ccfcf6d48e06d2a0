import static com.github.tomakehurst.wiremock.client.WireMock.*;

import com.github.tomakehurst.wiremock.client.WireMock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** WireMock's own Java client with the path prefix of a namespace: every call stays in it. */
public class NamespaceCheck {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
        System.out.println("ok " + what);
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String base = "http://127.0.0.1:" + port;
        WireMock a = new WireMock("http", "127.0.0.1", port, "/__ns/java-a");
        WireMock b = new WireMock("http", "127.0.0.1", port, "/__ns/java-b");
        a.register(WireMock.get(urlPathEqualTo("/who")).willReturn(ok("a")));
        b.register(WireMock.get(urlPathEqualTo("/who")).willReturn(ok("b")));
        check(get(base + "/__ns/java-a/who").body().equals("a"), "namespace a serves its stub");
        check(get(base + "/__ns/java-b/who").body().equals("b"), "namespace b serves its stub");
        check(get(base + "/who").statusCode() == 404, "the default has neither");
        a.verifyThat(1, getRequestedFor(urlPathEqualTo("/who")));
        check(a.getServeEvents().size() == 1, "a's journal holds a's request only");
        check(a.allStubMappings().getMappings().size() == 1, "a lists its own stub");
        a.resetToDefaultMappings();
        check(a.allStubMappings().getMappings().isEmpty(), "a reset");
        check(b.allStubMappings().getMappings().size() == 1, "b untouched by a's reset");
        System.out.println("ALL OK");
    }
}
