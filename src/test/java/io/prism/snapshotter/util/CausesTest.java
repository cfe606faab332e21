package io.prism.snapshotter.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CausesTest {
  private final ConnectException refused = new ConnectException("Connection refused");
  private final IOException io = new IOException("cannot reach", refused);
  private final RuntimeException outer = new RuntimeException("call failed", io);

  @Test
  void theChainIsTheFailureThenEachCause() {
    assertThat(Causes.chain(outer)).containsExactly(outer, io, refused);
    assertThat(Causes.chain(refused)).containsExactly(refused);
  }

  @Test
  void aCauseIsFoundAtAnyDepthAndByItsSupertype() {
    assertThat(Causes.find(outer, ConnectException.class)).containsSame(refused);
    assertThat(Causes.find(outer, IOException.class)).containsSame(io); // the first that is one
    assertThat(Causes.has(outer, IllegalStateException.class)).isFalse();
    assertThat(Causes.first(outer, t -> t.getMessage().startsWith("cannot"))).containsSame(io);
  }

  @Test
  void theInnermostIsTheLastCauseOrTheFailureItself() {
    assertThat(Causes.innermost(outer)).isSameAs(refused);
    assertThat(Causes.innermost(refused)).isSameAs(refused);
  }

  /** Some clients make a chain that loops: the walk ends at a cause seen before. */
  @Test
  void aCyclicChainEndsAtTheCauseSeenBefore() {
    Exception a = new Exception("a");
    Exception b = new Exception("b", a);
    a.initCause(b);
    assertThat(Causes.chain(a)).containsExactly(a, b);
    assertThat(Causes.innermost(a)).isSameAs(b);
    assertThat(Causes.has(a, IOException.class)).isFalse();
  }

  @Test
  void aDeepChainIsWalkedOnlyToItsBound() {
    Throwable deep = refused;
    for (int i = 0; i < 100; i++) {
      deep = new RuntimeException("wrapper " + i, deep);
    }
    assertThat(Causes.chain(deep)).hasSize(Causes.MAX_DEPTH);
    assertThat(Causes.has(deep, ConnectException.class)).isFalse();
  }

  @Test
  void unwrappingGoesPastTheFuturesWrappersOnly() {
    Throwable wrapped = new CompletionException(new ExecutionException(outer));
    assertThat(Causes.unwrapped(wrapped)).isSameAs(outer);
    assertThat(Causes.unwrapped(outer)).isSameAs(outer);
    CompletionException empty = new CompletionException("no cause", null);
    assertThat(Causes.unwrapped(empty)).isSameAs(empty);
  }
}
