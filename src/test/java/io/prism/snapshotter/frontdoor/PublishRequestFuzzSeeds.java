package io.prism.snapshotter.frontdoor;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.prism.snapshotter.proto.pubsub.BatchPublishRequest;
import io.prism.snapshotter.proto.pubsub.PublishRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link PublishRequestValidationFuzzTest}: valid requests, single and
 * batched, behind the control byte (bit 0 batch, bit 1 tiny limits). Run from the project root when
 * the request messages change (docs/FUZZING.md).
 */
final class PublishRequestFuzzSeeds {
  static final Path DIR =
      Path.of(
          "src/test/resources/io/prism/snapshotter/frontdoor/"
              + "PublishRequestValidationFuzzTestInputs/requestsAreAdmittedWithinLimitsOrRefusedNamingTheField");

  private PublishRequestFuzzSeeds() {}

  public static void main(String[] args) throws IOException {
    Files.createDirectories(DIR);
    PublishRequest plain =
        PublishRequest.newBuilder()
            .setTopic("user-1")
            .setPayload(ByteString.copyFromUtf8("{\"n\":1}"))
            .build();
    PublishRequest attributed =
        PublishRequest.newBuilder()
            .setTopic("tenant/ü")
            .setPayload(ByteString.copyFrom(new byte[] {0, 1, 2}))
            .putAttributes("type", "login")
            .putAttributes(FrontDoorHeaders.EVENT_ID, "e-1")
            .build();
    BatchPublishRequest batch =
        BatchPublishRequest.newBuilder().addEvents(plain).addEvents(attributed).build();
    for (int limits = 0; limits <= 2; limits += 2) {
      String suffix = limits == 0 ? "" : "-tiny-limits";
      write("single" + suffix, limits, plain);
      write("single-attributes" + suffix, limits, attributed);
      write("batch" + suffix, limits | 1, batch);
    }
  }

  private static void write(String name, int control, MessageLite request) throws IOException {
    byte[] wire = request.toByteArray();
    byte[] input = new byte[wire.length + 1];
    input[0] = (byte) control;
    System.arraycopy(wire, 0, input, 1, wire.length);
    Files.write(DIR.resolve(name), input);
  }
}
