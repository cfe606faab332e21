package io.prism.snapshotter.frontdoor;

import java.net.InetSocketAddress;
import org.apache.kafka.common.config.ConfigException;

/** A {@code host:port} to listen on; port 0 means "any free port". */
public record ListenAddress(String host, int port) {

  static ListenAddress parse(String key, String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new ConfigException(key, value, "expected host:port, e.g. 127.0.0.1:50051");
    }
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(key, value, "the port is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new ConfigException(key, value, "the port must be 0-65535");
    }
    return new ListenAddress(host, port);
  }

  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }
}
