package io.prism.snapshotter.storage;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * The Azure SDK's HTTP client (the JDK's, as the store uses) with a fault between it and the
 * service: every request is sent and recorded, but the answers to the first {@code losses} requests
 * that {@code lose} picks are lost on the way back. The service did what they asked; the SDK sees a
 * dropped connection (as after a timeout) and its retry policy sends the request again.
 */
final class AnswerLosingHttpClient implements HttpClient {

  private final HttpClient real = new JdkHttpClientBuilder().build();
  private final Predicate<HttpRequest> lose;
  private final AtomicInteger losses;
  private final List<String> calls = new CopyOnWriteArrayList<>();

  AnswerLosingHttpClient(Predicate<HttpRequest> lose, int losses) {
    this.lose = lose;
    this.losses = new AtomicInteger(losses);
  }

  /** Put Blob or Put Block List: the request that creates the blob. */
  static boolean createsTheBlob(HttpRequest request) {
    String call = call(request);
    return call.equals("PUT blob") || call.equals("PUT blocklist");
  }

  /**
   * Every request so far, as method and Azure operation ({@code comp} of the query, or {@code blob}
   * for the blob itself): {@code PUT blob} (Put Blob), {@code PUT block}, {@code PUT blocklist},
   * {@code HEAD blob} (Get Blob Properties), {@code GET blob} (a download).
   */
  List<String> calls() {
    return List.copyOf(calls);
  }

  void forget() {
    calls.clear();
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request) {
    return send(request, Context.NONE);
  }

  @Override
  public Mono<HttpResponse> send(HttpRequest request, Context context) {
    return Mono.fromCallable(() -> sendSync(request, context));
  }

  @Override
  public HttpResponse sendSync(HttpRequest request, Context context) {
    calls.add(call(request));
    HttpResponse response = real.sendSync(request, context);
    if (lose.test(request) && losses.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
      response.close();
      throw new UncheckedIOException(
          new IOException("Connection reset: the test lost the answer to " + call(request)));
    }
    return response;
  }

  private static String call(HttpRequest request) {
    String query = request.getUrl().getQuery();
    String operation = "blob";
    if (query != null) {
      for (String parameter : query.split("&")) {
        if (parameter.startsWith("comp=")) {
          operation = parameter.substring("comp=".length());
        }
      }
    }
    return request.getHttpMethod() + " " + operation;
  }
}
