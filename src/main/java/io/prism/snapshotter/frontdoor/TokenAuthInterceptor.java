package io.prism.snapshotter.frontdoor;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Requires {@code authorization: Bearer <token>} on every call of the publish service ({@code
 * UNAUTHENTICATED} otherwise) and puts the token's {@link WriterScope} into the call's context,
 * where the service checks each writer id against it.
 */
final class TokenAuthInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "Bearer ";

  private final BearerTokens tokens;

  TokenAuthInterceptor(BearerTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              "missing \"authorization: Bearer <token>\" metadata"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Optional<WriterScope> scope = tokens.scopeOf(header.substring(BEARER.length()).strip());
    if (scope.isEmpty()) {
      call.close(Status.UNAUTHENTICATED.withDescription("unknown bearer token"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    Context context = Context.current().withValue(WriterScope.CONTEXT_KEY, scope.get());
    return Contexts.interceptCall(context, call, headers, next);
  }
}
