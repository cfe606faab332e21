package io.prism.snapshotter.connect;

import java.time.Clock;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Configuration;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriInfo;

/**
 * {@link HealthResource} for Kafka 3.x workers, whose REST server speaks javax.ws.rs. The worker
 * provides that API; the plugin never packages it.
 */
@Path("/prism/health")
public class JavaxHealthResource {
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
