package io.prism.snapshotter.index;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import redis.clients.jedis.HostAndPort;

/**
 * A Redis index found through Sentinel: {@code
 * redis-sentinel://[user:password@]host:port[,host:port ...][/database]#master} ({@code
 * rediss-sentinel://} for TLS to the sentinels and the data nodes), the form Lettuce and others
 * use. The sentinels tell which server is the master's primary now, and again after a failover; the
 * user, password and database are the data nodes'.
 *
 * @param sentinels where the sentinels answer (26379 when no port is given)
 * @param master the name the sentinels monitor it under ({@code sentinel monitor <name> ...})
 */
record RedisSentinels(
    Set<HostAndPort> sentinels,
    String master,
    boolean tls,
    String user,
    String password,
    int database) {
  static final String SCHEME = "redis-sentinel";
  static final String TLS_SCHEME = "rediss-sentinel";
  static final int DEFAULT_PORT = 26379;

  static boolean isSentinelUrl(URI url) {
    return SCHEME.equals(url.getScheme()) || TLS_SCHEME.equals(url.getScheme());
  }

  /**
   * @throws IllegalArgumentException saying what is missing or malformed (never the password)
   */
  static RedisSentinels parse(URI url) {
    String authority = url.getRawAuthority();
    if (authority == null || authority.isBlank()) {
      throw new IllegalArgumentException(
          "a Sentinel URL names its sentinels: " + SCHEME + "://host:26379[,host:26379]/0#master");
    }
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String info = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = info.indexOf(':');
      user = colon < 0 ? null : decode(info.substring(0, colon));
      password = decode(colon < 0 ? info : info.substring(colon + 1));
      if (user != null && user.isEmpty()) {
        user = null;
      }
    }
    Set<HostAndPort> sentinels = new LinkedHashSet<>();
    for (String node : authority.split(",")) {
      sentinels.add(hostAndPort(node.trim()));
    }
    String master = url.getFragment();
    if (master == null || master.isBlank()) {
      throw new IllegalArgumentException(
          "a Sentinel URL names the master after '#': "
              + SCHEME
              + "://"
              + authority
              + "/0#mymaster");
    }
    int database = 0;
    String path = url.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      try {
        database = Integer.parseInt(path.substring(1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "the database after the sentinels must be a number, not '" + path.substring(1) + "'");
      }
    }
    return new RedisSentinels(
        sentinels, master, TLS_SCHEME.equals(url.getScheme()), user, password, database);
  }

  private static HostAndPort hostAndPort(String node) {
    if (node.isEmpty()) {
      throw new IllegalArgumentException("an empty sentinel address in the list");
    }
    int colon = node.lastIndexOf(':');
    if (colon < 0 || node.endsWith("]")) {
      return new HostAndPort(node, DEFAULT_PORT);
    }
    try {
      return new HostAndPort(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sentinel '" + node + "' has no port number after ':'");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** The URL without user info, for logs: scheme, sentinels, database and master. */
  static String redacted(URI url) {
    String authority = String.valueOf(url.getRawAuthority());
    int at = authority.lastIndexOf('@');
    return url.getScheme()
        + "://"
        + authority.substring(at + 1)
        + (url.getPath() == null ? "" : url.getPath())
        + (url.getFragment() == null ? "" : "#" + url.getFragment());
  }

  /**
   * Whether any sentinel accepts a connection (within a second each): when one does, a failure to
   * learn the primary from them is theirs to explain (an unknown master name, a refused password),
   * not an outage.
   */
  boolean anyReachable() {
    for (HostAndPort sentinel : sentinels) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(sentinel.getHost(), sentinel.getPort()), 1_000);
        return true;
      } catch (IOException notThisOne) {
        // the next one
      }
    }
    return false;
  }

  List<String> addresses() {
    List<String> all = new ArrayList<>();
    for (HostAndPort s : sentinels) {
      all.add(s.toString());
    }
    return all;
  }
}
