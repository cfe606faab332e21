package io.prism.snapshotter.connect;

/** The plugin's version, from the jar manifest (set by Maven), for Connect's REST API. */
final class Version {
  private Version() {}

  static String current() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version != null ? version : "dev";
  }
}
