package io.prism.snapshotter.chaos;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service of the deployment as a separate OS process that the chaos run starts, kills
 * (SIGKILL), stops (SIGTERM), freezes (SIGSTOP) and thaws (SIGCONT). Each start gets its own output
 * file, numbered, so a killed process's last words stay readable.
 */
final class ChildProcess {
  private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);

  private final String name;
  private final IntFunction<List<String>> commandForStart;
  private final Map<String, String> environment;
  private final Path logDir;
  private int starts;
  private Process process;

  /**
   * {@code commandForStart} gets the start number (1, 2, ...), so logs of each start can be told
   * apart.
   */
  ChildProcess(
      String name,
      IntFunction<List<String>> commandForStart,
      Map<String, String> environment,
      Path logDir) {
    this.name = name;
    this.commandForStart = commandForStart;
    this.environment = Map.copyOf(environment);
    this.logDir = logDir;
  }

  String name() {
    return name;
  }

  int starts() {
    return starts;
  }

  synchronized void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
    }
    int start = ++starts;
    ProcessBuilder builder =
        new ProcessBuilder(new ArrayList<>(commandForStart.apply(start)))
            .redirectErrorStream(true)
            .redirectOutput(logDir.resolve(name + "-" + start + ".out").toFile());
    builder.environment().putAll(environment);
    process = builder.start();
    log.info("started {} (start {}, pid {})", name, start, process.pid());
  }

  synchronized boolean alive() {
    return process != null && process.isAlive();
  }

  /** Exit code of a process that ended by itself, for the failure message. */
  synchronized String describeExit() {
    if (process == null) {
      return name + " never started";
    }
    return process.isAlive()
        ? name + " is running"
        : name
            + " exited with "
            + process.exitValue()
            + " (output: "
            + logDir.resolve(name + "-" + starts + ".out")
            + ")";
  }

  /** SIGKILL, the crash: no shutdown hook runs, nothing is flushed. */
  synchronized void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    signal("CONT"); // a frozen process cannot die until it runs again
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          name + " (pid " + process.pid() + ") survived SIGKILL for 30 s");
    }
    log.info("killed {} (pid {})", name, process.pid());
  }

  /** For a shutdown hook: SIGKILL without waiting, so no child outlives an interrupted run. */
  void killNow() {
    Process running = process;
    if (running != null && running.isAlive()) {
      running.destroyForcibly();
    }
  }

  /** SIGTERM, the orderly stop, then SIGKILL after {@code graceSeconds}. */
  synchronized void stop(int graceSeconds) throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
      log.warn("{} did not stop within {} s of SIGTERM; killing it", name, graceSeconds);
      kill();
    }
  }

  /**
   * SIGSTOP: the process keeps its sockets and state but runs no code — a long GC pause or a
   * stalled VM.
   */
  synchronized void freeze() throws InterruptedException {
    signal("STOP");
    log.info("froze {} (pid {})", name, process.pid());
  }

  synchronized void thaw() throws InterruptedException {
    signal("CONT");
    log.info("thawed {} (pid {})", name, process.pid());
  }

  private void signal(String signal) throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill -" + signal + " for " + name, e);
    }
  }
}
