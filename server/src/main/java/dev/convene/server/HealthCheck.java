package dev.convene.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code convene health [URL...]}: exits 0 if any of the URLs answers 200, else 1. The container
 * image's health check, which has no shell or curl to run; by default it asks the HTTP port of
 * an {@code all}/{@code signaling} node and the control port of an {@code sfu} node.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Exits 0 if a node on this host answers its health check (for container health checks).")
public final class HealthCheck implements Callable<Integer> {

    static final List<String> DEFAULT_URLS = List.of("http://127.0.0.1:8080/healthz", "http://127.0.0.1:7070/healthz");

    @Parameters(arity = "0..*", description = "URLs to try (default: the HTTP port 8080, then the control port 7070).")
    List<String> urls;

    @Override
    public Integer call() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (String url : urls == null || urls.isEmpty() ? DEFAULT_URLS : urls) {
            try {
                HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (answer.statusCode() == 200) {
                    System.out.println("healthy: " + url);
                    return 0;
                }
                System.err.println(url + " answered " + answer.statusCode());
            } catch (Exception e) {
                System.err.println(url + ": " + e);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }
        return 1;
    }
}
