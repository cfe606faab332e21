package io.prism.snapshotter.connect;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;

/**
 * This worker's id as Connect writes it into connector and task states: {@code host:port} of the
 * worker's advertised REST URL. The REST extension is told nothing else about the worker it runs
 * in, so the id is worked out from the worker config the way Connect's REST server does:
 *
 * <ul>
 *   <li>protocol: {@code rest.advertised.listener}, else {@code http} if {@code listeners} has an
 *       http listener, else {@code https} if it has one, else {@code http};
 *   <li>host: {@code rest.advertised.host.name}, else the host of the first listener of that
 *       protocol, else (a listener such as {@code http://:8083}) this machine's address, as Jetty
 *       gives it;
 *   <li>port: {@code rest.advertised.port}, else that listener's port; a port of 0 (any free port,
 *       test clusters) is only known once the server runs, so it is taken from each request, the
 *       port the request was addressed to.
 * </ul>
 *
 * A name that several workers may share (a wildcard listener address, which Connect advertises as
 * it is) or that had to be guessed is logged once, as is an id that cannot be worked out at all:
 * then the health checks judge the whole cluster, as before this worker knew its own id.
 *
 * <p>{@code rest.host.name} and {@code rest.port}, the settings {@code listeners} replaced, are not
 * read: Connect itself has ignored them since 3.0 (its {@code listeners} default {@code
 * http://:8083} applies), on every version the extension supports. A worker still configured with
 * them listens and is named as that default says; a WARN says so, as Connect does not.
 */
final class OwnWorkerId {
  private static final Logger log = LoggerFactory.getLogger(OwnWorkerId.class);

  /** Kafka's listener syntax: {@code PROTOCOL://host:port}, an IPv6 host in brackets or not. */
  private static final Pattern LISTENER =
      Pattern.compile("^(.*)://\\[?([0-9a-zA-Z\\-%._:]*)\\]?:(-?[0-9]+)$");

  /** Connect's default {@code listeners}. */
  static final String DEFAULT_LISTENERS = "http://:8083";

  /** Settings Connect removed in 3.0 for {@code listeners}: set, they do nothing. */
  private static final List<String> REMOVED_REST_SETTINGS = List.of("rest.host.name", "rest.port");

  /** The host; null when it cannot be worked out. */
  private final String host;

  /** The port; 0 when it is the port requests are addressed to. */
  private final int port;

  private final AtomicBoolean portFromRequestLogged = new AtomicBoolean();

  /** Where what this id was worked out from is told: {@link #log}, or nowhere. */
  private final Logger out;

  private OwnWorkerId(String host, int port, Logger out) {
    this.host = host;
    this.port = port;
    this.out = out;
  }

  /** No id known: the checks judge the whole cluster. */
  static OwnWorkerId unknown() {
    return new OwnWorkerId(null, -1, log);
  }

  /** Worked out from the worker config as Connect's REST server does, logging what it took. */
  static OwnWorkerId fromWorkerConfig(Map<String, ?> workerConfig) {
    return fromWorkerConfig(workerConfig, OwnWorkerId::localAddress);
  }

  /**
   * As {@link #fromWorkerConfig(Map)}, logging nothing: for a second copy in the JVM of a worker
   * whose {@link HealthRestExtension} worked it out and logged it already ({@code bin/snapshotter
   * local}), which would otherwise log every line twice.
   */
  static OwnWorkerId quietlyFromWorkerConfig(Map<String, ?> workerConfig) {
    return fromWorkerConfig(workerConfig, OwnWorkerId::localAddress, NOPLogger.NOP_LOGGER);
  }

  /** As {@link #fromWorkerConfig(Map)}; {@code localAddress} gives this machine's address. */
  static OwnWorkerId fromWorkerConfig(Map<String, ?> workerConfig, LocalAddress localAddress) {
    return fromWorkerConfig(workerConfig, localAddress, log);
  }

  private static OwnWorkerId fromWorkerConfig(
      Map<String, ?> workerConfig, LocalAddress localAddress, Logger out) {
    String advertisedHost = text(workerConfig.get("rest.advertised.host.name"));
    String advertisedPort = text(workerConfig.get("rest.advertised.port"));
    String advertisedListener = text(workerConfig.get("rest.advertised.listener"));
    String listenersValue = listeners(workerConfig.get("listeners"));
    String listeners = listenersValue == null ? DEFAULT_LISTENERS : listenersValue;

    List<String> removed =
        REMOVED_REST_SETTINGS.stream().filter(workerConfig::containsKey).toList();
    if (!removed.isEmpty()) {
      out.warn(
          "This worker sets {}, which Kafka Connect has ignored since 3.0 (listeners replaced"
              + " them): it listens on listeners '{}'{} and names itself by that, and so do the"
              + " health checks. Set listeners (and rest.advertised.host.name) instead.",
          String.join(" and ", removed),
          listeners,
          listenersValue == null ? " (Connect's default)" : "");
    }

    String protocol = protocol(advertisedListener, listeners);
    Matcher listener = listenerOf(protocol, listeners);

    int port;
    if (advertisedPort != null) {
      try {
        port = Integer.parseInt(advertisedPort);
      } catch (NumberFormatException e) {
        out.warn(
            "Health checks cannot tell this worker's id: rest.advertised.port '{}' is not a"
                + " number; they judge the tasks of the whole Connect cluster",
            advertisedPort);
        return unknown();
      }
    } else if (listener != null) {
      port = Integer.parseInt(listener.group(3));
    } else {
      out.warn(
          "Health checks cannot tell this worker's id: no {} listener in listeners '{}' to take"
              + " the port from and no rest.advertised.port; they judge the tasks of the whole"
              + " Connect cluster",
          protocol,
          listeners);
      return unknown();
    }

    String host;
    String listenerHost = listener == null ? "" : listener.group(2);
    if (advertisedHost != null) {
      host = advertisedHost;
    } else if (!listenerHost.isEmpty()) {
      host = listenerHost;
      if (isWildcard(host)) {
        out.warn(
            "Health checks take this worker's id from the listener host '{}' (no"
                + " rest.advertised.host.name), as Connect does: every worker listening on"
                + " '{}' at the same port has this id, so this worker's checks also judge their"
                + " tasks. Set rest.advertised.host.name to this worker's own name.",
            host,
            host);
      }
    } else {
      try {
        host = localAddress.get();
      } catch (UnknownHostException e) {
        out.warn(
            "Health checks cannot tell this worker's id: no rest.advertised.host.name, listener"
                + " '{}' names no host, and this machine's address is unknown ({}); they judge"
                + " the tasks of the whole Connect cluster",
            listener == null ? listeners : listener.group(0),
            e.toString());
        return unknown();
      }
      out.info(
          "Health checks take this worker's host as {}, this machine's address, as Connect"
              + " advertises it with no rest.advertised.host.name and a listener without a host;"
              + " if GET /connectors/<name>/status names this worker otherwise, set"
              + " rest.advertised.host.name",
          host);
    }
    OwnWorkerId id = new OwnWorkerId(host, Math.max(port, 0), out);
    if (port > 0) {
      out.info("Health checks judge the tasks of this worker, {}", id.withPort(port));
    }
    return id;
  }

  /**
   * This worker's id for a request addressed to {@code requestPort} (used only when the configured
   * port is 0); null when it is not known.
   */
  String forRequestPort(int requestPort) {
    if (host == null) {
      return null;
    }
    if (port > 0) {
      return withPort(port);
    }
    if (requestPort <= 0) {
      return null;
    }
    String id = withPort(requestPort);
    if (portFromRequestLogged.compareAndSet(false, true)) {
      out.info(
          "Health checks judge the tasks of this worker, {}: its listener's port is 0, so the"
              + " port is taken from each health request",
          id);
    }
    return id;
  }

  /** As Connect writes it: an IPv6 address in brackets, as the advertised URL's host has it. */
  private String withPort(int p) {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return h + ":" + p;
  }

  private static String protocol(String advertisedListener, String listeners) {
    if (advertisedListener != null) {
      return advertisedListener.toLowerCase(Locale.ROOT);
    }
    String lower = listeners.toLowerCase(Locale.ROOT);
    if (lower.contains("http://")) {
      return "http";
    }
    return lower.contains("https://") ? "https" : "http";
  }

  /**
   * The first listener whose protocol starts with {@code protocol}, as Connect's REST server picks
   * the connector it advertises (so {@code http} may pick an {@code https} listener listed first).
   */
  private static Matcher listenerOf(String protocol, String listeners) {
    for (String one : listeners.split(",")) {
      Matcher m = LISTENER.matcher(one.trim());
      if (m.matches() && m.group(1).toLowerCase(Locale.ROOT).startsWith(protocol)) {
        return m;
      }
    }
    return null;
  }

  private static String listeners(Object value) {
    if (value instanceof Collection<?> list) {
      List<String> parts = new ArrayList<>();
      list.forEach(v -> parts.add(String.valueOf(v)));
      return parts.isEmpty() ? null : String.join(",", parts);
    }
    return text(value);
  }

  private static String text(Object value) {
    if (value == null) {
      return null;
    }
    String s = String.valueOf(value).trim();
    return s.isEmpty() ? null : s;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
  }

  private static String localAddress() throws UnknownHostException {
    return InetAddress.getLocalHost().getHostAddress();
  }

  /** This machine's address, as Jetty takes it for a listener without a host. */
  @FunctionalInterface
  interface LocalAddress {
    String get() throws UnknownHostException;
  }

  @Override
  public String toString() {
    return host == null ? "unknown" : withPort(port) + (port == 0 ? " (port from requests)" : "");
  }
}
