package io.prism.snapshotter.connect;

import java.time.Clock;
import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

/**
 * {@link HealthResource} for Kafka 3.x workers, whose REST server speaks javax.ws.rs. The worker
 * provides that API; the plugin never packages it.
 */
@Path("/prism/health")
public class JavaxHealthResource {
  private final Clock clock = Clock.systemUTC();
  private final ConnectorTasksCheck tasks;

  JavaxHealthResource(ConnectorTasksCheck tasks) {
    this.tasks = tasks;
  }

  @GET
  @Path("{check}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response check(@PathParam("check") String check) {
    HealthAnswer answer = HealthAnswer.of(check, clock, tasks);
    return Response.status(answer.httpStatus())
        .entity(answer.json())
        .type(MediaType.APPLICATION_JSON)
        .build();
  }
}
