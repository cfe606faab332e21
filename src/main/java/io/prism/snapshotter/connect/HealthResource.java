package io.prism.snapshotter.connect;

import io.prism.snapshotter.metrics.HealthEndpoint;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;

/** The JAX-RS resource behind {@link HealthRestExtension}. */
@Path("/prism/health")
public class HealthResource {
  private final Clock clock = Clock.systemUTC();

  @GET
  @Path("{check}")
  @Produces(MediaType.APPLICATION_JSON)
  public Response check(@PathParam("check") String check) {
    for (HealthEndpoint endpoint : HealthEndpoint.values()) {
      if (endpoint.path().equals(check)) {
        HealthEndpoint.Report report = endpoint.report(clock);
        return Response.status(report.httpStatus()).entity(report.json()).type(MediaType.APPLICATION_JSON).build();
      }
    }
    return Response.status(Response.Status.NOT_FOUND)
        .entity("{\"error\":\"no health check named " + check.replaceAll("[^a-z_-]", "?") + "; try buffers, storage, index\"}")
        .type(MediaType.APPLICATION_JSON).build();
  }
}
