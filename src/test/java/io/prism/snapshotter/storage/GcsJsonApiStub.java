package io.prism.snapshotter.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;

/**
 * A stand-in for the Cloud Storage JSON API, in this JVM, for what {@link GcsObjectStore} asks of
 * it: single-request (multipart) uploads, resumable uploads, object metadata, media reads (whole or
 * ranged), deletes and listings (by prefix, in pages), with {@code ifGenerationMatch=0} checked as
 * GCS does (when a resumable upload starts and again when it is finalized). No GCS-compatible
 * server runs on these machines (see the README); this is written from the JSON API's documentation
 * and checked against what the real client sends, so it proves the store's use of the client, not
 * GCS itself.
 *
 * <p>Faults: {@link #loseAnswers} stores an upload and then drops the connection instead of
 * answering, as after a timeout, so that the client's retry meets the object; {@link #describeAs}
 * rewrites the object resource the store is shown (a missing {@code md5Hash}, as for a composite
 * object). Every request is recorded by {@link #calls()}.
 */
final class GcsJsonApiStub implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // The JDK's HttpServer writes an answer's headers and body apart; without TCP_NODELAY the body
    // waits for the client's delayed ACK (~40 ms a request), which made a listing 215 pages long
    // take seconds. Read once, when the first HttpServer of the JVM starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer server;
  private final String bucket;
  private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, StoredObject> finished = new ConcurrentHashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final AtomicLong generations = new AtomicLong(1_700_000_000_000_000L);
  private final AtomicInteger answersToLose = new AtomicInteger();
  private volatile UnaryOperator<ObjectNode> describeAs = UnaryOperator.identity();
  private volatile boolean hidden;

  private record StoredObject(
      String name,
      byte[] content,
      String contentType,
      Map<String, String> metadata,
      long generation,
      Instant updated) {}

  private static final class Session {
    final JsonNode resource;
    final boolean createOnly;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    Session(JsonNode resource, boolean createOnly) {
      this.resource = resource;
      this.createOnly = createOnly;
    }
  }

  private GcsJsonApiStub(String bucket, SSLContext tls) throws IOException {
    this.bucket = bucket;
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 0);
    } else {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::handle);
    server.start();
  }

  /** A stub serving one bucket, {@code bucket}, on a free loopback port. */
  static GcsJsonApiStub start(String bucket) throws IOException {
    return new GcsJsonApiStub(bucket, null);
  }

  /** A stub serving {@code bucket} over HTTPS, with the server certificate of {@code tls}. */
  static GcsJsonApiStub startTls(String bucket, SSLContext tls) throws IOException {
    return new GcsJsonApiStub(bucket, tls);
  }

  URI endpoint() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Store settings for this stub's bucket, with the smallest chunk size. */
  GcsSettings settings() {
    return GcsSettings.forBucket(bucket)
        .withEndpoint(endpoint())
        .withProjectId("prism-test")
        .withChunkSizeBytes(GcsSettings.MIN_CHUNK_SIZE_BYTES);
  }

  /**
   * The next {@code count} requests that finish an object (a single-request upload, the last chunk
   * of a resumable one) store it and then drop the connection without an answer.
   */
  void loseAnswers(int count) {
    answersToLose.set(count);
  }

  /** Whether metadata GETs answer 404 for every object, as if it were not (yet) visible. */
  void hideObjects(boolean hide) {
    hidden = hide;
  }

  /** Shows the store every object resource as {@code change} makes it (metadata, not media). */
  void describeAs(UnaryOperator<ObjectNode> change) {
    describeAs = change;
  }

  /**
   * Every request so far: {@code upload multipart}, {@code upload resumable} (a session started),
   * {@code upload chunk}, {@code get metadata}, {@code get media}, {@code delete}, {@code list}.
   */
  List<String> calls() {
    return List.copyOf(calls);
  }

  void forget() {
    calls.clear();
  }

  /** Stores {@code content} at {@code name} as another writer would. */
  void storeDirectly(String name, byte[] content, String contentType, Map<String, String> meta) {
    objects.put(
        name,
        new StoredObject(
            name, content, contentType, meta, generations.incrementAndGet(), Instant.now()));
  }

  byte[] content(String name) {
    StoredObject object = objects.get(name);
    return object == null ? null : object.content();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    if (server instanceof HttpsServer) {
      // Over HTTPS every answer closes its connection. The JDK's HttpsServer was seen to leave a
      // request that came on a kept-alive TLS connection undispatched until the client hung up
      // (its handler started 20 s later, when the client's read timed out; GcsObjectStoreTlsTest,
      // 2 of 7 runs of the unit suite once the store's pooled transport reused connections). A
      // server's bug, not the client's: plain HTTP, and servers other than this stand-in, keep
      // connections as the contract suite and GcsConnectionReuseTest show.
      exchange.getResponseHeaders().set("Connection", "close");
    }
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      String method = exchange.getRequestMethod();
      String uploads = "/upload/storage/v1/b/" + bucket + "/o";
      String objectsPath = "/storage/v1/b/" + bucket + "/o/";
      if (path.equals(uploads) && method.equals("POST")) {
        String type = query.get("uploadType");
        if ("multipart".equals(type)) {
          uploadMultipart(exchange, query);
        } else if ("resumable".equals(type)) {
          startSession(exchange, query);
        } else {
          error(exchange, 400, "badRequest", "uploadType " + type + " is not in this stub");
        }
      } else if (path.equals(uploads) && method.equals("PUT") && query.containsKey("upload_id")) {
        uploadChunk(exchange, query.get("upload_id"));
      } else if (path.equals(objectsPath.substring(0, objectsPath.length() - 1))
          && method.equals("GET")) {
        list(exchange, query);
      } else if (path.startsWith("/download" + objectsPath) && method.equals("GET")) {
        // Media reads (ReadChannel) go to the download path.
        String name = decode(path.substring(("/download" + objectsPath).length()));
        get(exchange, name, true);
      } else if (path.startsWith(objectsPath) && method.equals("GET")) {
        String name = decode(path.substring(objectsPath.length()));
        get(exchange, name, "media".equals(query.get("alt")));
      } else if (path.startsWith(objectsPath) && method.equals("DELETE")) {
        calls.add("delete");
        String name = decode(path.substring(objectsPath.length()));
        if (objects.remove(name) == null) {
          error(exchange, 404, "notFound", "No such object: " + bucket + "/" + name);
        } else {
          exchange.sendResponseHeaders(204, -1);
        }
      } else {
        error(exchange, 400, "badRequest", method + " " + path + " is not in this stub");
      }
    } catch (LostAnswer lost) {
      // Thrown on purpose: HttpServer closes the connection without an answer.
      throw lost;
    } catch (RuntimeException | IOException e) {
      e.printStackTrace();
      throw e;
    }
  }

  /** A single-request upload: a multipart/related body of the resource (JSON), then the media. */
  private void uploadMultipart(HttpExchange exchange, Map<String, String> query)
      throws IOException {
    calls.add("upload multipart");
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    String boundary = contentType.substring(contentType.indexOf("boundary=") + 9).replace("\"", "");
    List<byte[]> parts = multipartBodies(body(exchange), boundary);
    JsonNode resource = JSON.readTree(parts.get(0));
    finish(exchange, resource, parts.get(1), "0".equals(query.get("ifGenerationMatch")), null);
  }

  private void startSession(HttpExchange exchange, Map<String, String> query) throws IOException {
    calls.add("upload resumable");
    JsonNode resource = JSON.readTree(body(exchange));
    boolean createOnly = "0".equals(query.get("ifGenerationMatch"));
    if (createOnly && objects.containsKey(resource.path("name").asText())) {
      conditionNotMet(exchange);
      return;
    }
    String id = UUID.randomUUID().toString();
    sessions.put(id, new Session(resource, createOnly));
    exchange
        .getResponseHeaders()
        .add(
            "Location",
            endpoint()
                + "/upload/storage/v1/b/"
                + bucket
                + "/o?uploadType=resumable&upload_id="
                + id);
    exchange.sendResponseHeaders(200, -1);
  }

  /** An object's metadata (its resource), or with {@code media} its content. */
  private void get(HttpExchange exchange, String name, boolean media) throws IOException {
    calls.add(media ? "get media" : "get metadata");
    StoredObject object = hidden ? null : objects.get(name);
    if (object == null) {
      error(exchange, 404, "notFound", "No such object: " + bucket + "/" + name);
    } else if (media) {
      sendMedia(exchange, object);
    } else {
      json(exchange, 200, resource(object));
    }
  }

  /**
   * An object's content, or the part a {@code Range: bytes=a-} or {@code bytes=a-b} header asks for
   * (206, with {@code Content-Range}); a range that starts at or past the end is 416.
   */
  private void sendMedia(HttpExchange exchange, StoredObject object) throws IOException {
    byte[] content = object.content();
    exchange.getResponseHeaders().add("x-goog-generation", Long.toString(object.generation()));
    String range = exchange.getRequestHeaders().getFirst("Range");
    if (range == null) {
      exchange.sendResponseHeaders(200, content.length == 0 ? -1 : content.length);
      exchange.getResponseBody().write(content);
      return;
    }
    String[] bounds = range.substring("bytes=".length()).split("-", -1);
    long first = Long.parseLong(bounds[0]);
    long last = bounds[1].isEmpty() ? content.length - 1 : Long.parseLong(bounds[1]);
    if (first >= content.length) {
      error(
          exchange,
          416,
          "requestedRangeNotSatisfiable",
          "range " + range + " of " + content.length);
      return;
    }
    last = Math.min(last, content.length - 1L);
    int length = (int) (last - first + 1);
    exchange
        .getResponseHeaders()
        .add("Content-Range", "bytes " + first + "-" + last + "/" + content.length);
    exchange.sendResponseHeaders(206, length);
    exchange.getResponseBody().write(content, (int) first, length);
  }

  /**
   * A page of the bucket's objects whose names start with {@code prefix}, in the UTF-8 byte order
   * of their names as GCS lists them, at most {@code maxResults} (GCS's cap: 1,000); the page token
   * is the last name given, encoded (GCS's tokens are opaque).
   */
  private void list(HttpExchange exchange, Map<String, String> query) throws IOException {
    calls.add("list");
    String prefix = query.getOrDefault("prefix", "");
    int max = Math.min(1000, Integer.parseInt(query.getOrDefault("maxResults", "1000")));
    String after =
        query.containsKey("pageToken")
            ? new String(
                Base64.getUrlDecoder().decode(query.get("pageToken")), StandardCharsets.UTF_8)
            : null;
    List<StoredObject> matching =
        objects.values().stream()
            .filter(o -> o.name().startsWith(prefix))
            .filter(o -> after == null || ObjectKeys.UTF8_ORDER.compare(o.name(), after) > 0)
            .sorted(java.util.Comparator.comparing(StoredObject::name, ObjectKeys.UTF8_ORDER))
            .toList();
    ObjectNode body = JSON.createObjectNode();
    body.put("kind", "storage#objects");
    var items = body.putArray("items");
    matching.stream().limit(max).forEach(o -> items.add(resource(o)));
    if (matching.size() > max) {
      String last = matching.get(max - 1).name();
      body.put(
          "nextPageToken",
          Base64.getUrlEncoder().encodeToString(last.getBytes(StandardCharsets.UTF_8)));
    }
    json(exchange, 200, body);
  }

  /** A chunk of a resumable upload: {@code Content-Range: bytes a-b/total} (or {@code /*}). */
  private void uploadChunk(HttpExchange exchange, String id) throws IOException {
    calls.add("upload chunk");
    Session session = sessions.get(id);
    if (session == null && finished.containsKey(id)) {
      // A finished upload's session answers any later request with the object it made.
      exchange.getRequestBody().readAllBytes();
      json(exchange, 200, resource(finished.get(id)));
      return;
    }
    if (session == null) {
      error(exchange, 404, "notFound", "no upload session " + id);
      return;
    }
    byte[] chunk = body(exchange);
    String range = exchange.getRequestHeaders().getFirst("Content-Range");
    String total = range.substring(range.indexOf('/') + 1);
    if (!range.startsWith("bytes */")) {
      long first = Long.parseLong(range.substring("bytes ".length(), range.indexOf('-')));
      if (first == session.received.size()) {
        session.received.write(chunk);
      }
    }
    if (!total.equals("*") && session.received.size() == Long.parseLong(total)) {
      sessions.remove(id);
      finish(exchange, session.resource, session.received.toByteArray(), session.createOnly, id);
      return;
    }
    if (session.received.size() > 0) {
      exchange.getResponseHeaders().add("Range", "bytes=0-" + (session.received.size() - 1));
    }
    exchange.sendResponseHeaders(308, -1);
  }

  /** Stores a finished upload (unless create-only and taken), and answers or loses the answer. */
  private void finish(
      HttpExchange exchange, JsonNode resource, byte[] content, boolean createOnly, String session)
      throws IOException {
    String name = resource.path("name").asText();
    if (createOnly && objects.containsKey(name)) {
      conditionNotMet(exchange);
      return;
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    resource
        .path("metadata")
        .fields()
        .forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
    StoredObject object =
        new StoredObject(
            name,
            content,
            resource.path("contentType").asText("application/octet-stream"),
            metadata,
            generations.incrementAndGet(),
            Instant.now());
    if (resource.hasNonNull("md5Hash") && !resource.get("md5Hash").asText().equals(md5(content))) {
      error(exchange, 400, "invalid", "Provided MD5 hash does not match the content");
      return;
    }
    objects.put(name, object);
    if (session != null) {
      finished.put(session, object);
    }
    if (answersToLose.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
      throw new LostAnswer();
    }
    json(exchange, 200, resource(object));
  }

  private ObjectNode resource(StoredObject object) {
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", "storage#object");
    node.put("id", bucket + "/" + object.name() + "/" + object.generation());
    node.put("name", object.name());
    node.put("bucket", bucket);
    node.put("generation", Long.toString(object.generation()));
    node.put("metageneration", "1");
    node.put("contentType", object.contentType());
    node.put("size", Long.toString(object.content().length));
    node.put("md5Hash", md5(object.content()));
    node.put("crc32c", crc32c(object.content()));
    node.put("etag", "C" + Long.toHexString(object.generation()) + "EAE=");
    node.put("timeCreated", object.updated().toString());
    node.put("updated", object.updated().toString());
    if (!object.metadata().isEmpty()) {
      ObjectNode metadata = node.putObject("metadata");
      object.metadata().forEach(metadata::put);
    }
    return describeAs.apply(node);
  }

  private static void conditionNotMet(HttpExchange exchange) throws IOException {
    error(
        exchange,
        412,
        "conditionNotMet",
        "At least one of the pre-conditions you specified did not hold.");
  }

  private static void error(HttpExchange exchange, int status, String reason, String message)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("code", status);
    error.put("message", message);
    ObjectNode detail = error.putArray("errors").addObject();
    detail.put("domain", "global");
    detail.put("reason", reason);
    detail.put("message", message);
    json(exchange, status, body);
  }

  private static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The request's body, decompressed if the client gzipped it (it does, unless told not to). */
  private static byte[] body(HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    return "gzip".equalsIgnoreCase(encoding)
        ? new GZIPInputStream(exchange.getRequestBody()).readAllBytes()
        : exchange.getRequestBody().readAllBytes();
  }

  /** The bodies of a multipart/related message, each without its headers. */
  private static List<byte[]> multipartBodies(byte[] message, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    List<byte[]> bodies = new java.util.ArrayList<>();
    int at = indexOf(message, delimiter, 0);
    while (at >= 0) {
      int start = at + delimiter.length;
      if (start + 1 < message.length && message[start] == '-' && message[start + 1] == '-') {
        break; // the closing delimiter
      }
      int headersEnd = indexOf(message, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), start);
      int next = indexOf(message, delimiter, headersEnd + 4);
      // The body ends before the CRLF that precedes the next delimiter.
      bodies.add(Arrays.copyOfRange(message, headersEnd + 4, next - 2));
      at = next;
    }
    return bodies;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    outer:
    for (int i = from; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        query.put(
            decode(eq < 0 ? pair : pair.substring(0, eq)),
            eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    return query;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String md5(byte[] content) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String crc32c(byte[] content) {
    CRC32C crc = new CRC32C();
    crc.update(content);
    int value = (int) crc.getValue();
    return Base64.getEncoder()
        .encodeToString(
            new byte[] {
              (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
            });
  }

  /** Drops the connection without an answer (HttpServer closes it when a handler throws). */
  private static final class LostAnswer extends RuntimeException {
    LostAnswer() {
      super("the stub lost this answer on purpose", null, false, false);
    }
  }
}
