package io.prism.snapshotter.verify;

/**
 * {@code --repair} refused before it removed anything: the store looks like the wrong one (it holds
 * no object at all, or none of the pages the index lists), and a repair would empty the index.
 */
public final class RepairRefusedException extends IllegalStateException {
  public RepairRefusedException(String message) {
    super(message);
  }
}
