package io.prism.snapshotter.connect;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Clock;

/** The JAX-RS resource behind {@link HealthRestExtension} on Kafka 4.0+ workers (jakarta.ws.rs). */
@Path("/prism/health")
public class HealthResource {
  private final Clock clock = Clock.systemUTC();

  /** The worker's REST configuration, holding its tasks ({@link HealthRestExtension}). */
  @Context private Configuration configuration;

  @GET
  @Path("{check}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response check(
      @PathParam("check") String check,
      @QueryParam("scope") String scope,
      @Context UriInfo request) {
    // The port the request was addressed to: this worker's, when its listener's port is 0.
    int port = request.getRequestUri().getPort();
    TasksHealth tasks = (TasksHealth) configuration.getProperty(HealthRestExtension.TASKS_PROPERTY);
    HealthAnswer answer = HealthAnswer.of(check, scope, port, clock, tasks);
    return Response.status(answer.httpStatus())
        .entity(answer.json())
        .type(MediaType.APPLICATION_JSON)
        .build();
  }
}
