package io.prism.snapshotter.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

  @Test
  void aReleaseOfMoreThanIsReservedFailsLoudlyWhereAssertionsAreOn() {
    assertThat(MemoryBudget.class.desiredAssertionStatus())
        .as("tests run with assertions on (surefire's default)")
        .isTrue();
    MemoryBudget budget = new MemoryBudget(1_000, 0.5);
    budget.reserve(100);
    budget.release(100);

    assertThatThrownBy(() -> budget.release(40)) // a page released twice
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("released 40 bytes with only 0 reserved");
  }

  @Test
  void inAWorkerAnOverReleaseIsLoggedAndTheCountStaysExact() {
    MemoryBudget budget = new MemoryBudget(1_000, 0.5, false);
    budget.reserve(100);

    budget.release(140); // no exception: the task must not die for an accounting bug

    assertThat(budget.usedBytes()).isEqualTo(-40);
    budget.reserve(100);
    assertThat(budget.usedBytes()).as("off by exactly the excess, not reset to zero").isEqualTo(60);
    budget.release(60);
    assertThat(budget.usedBytes()).isZero();
  }

  @Test
  void releasingWhatWasReservedComesBackToZero() {
    MemoryBudget budget = new MemoryBudget(1_000, 0.5);
    budget.reserve(700);
    budget.reserve(400);
    assertThat(budget.overBudget()).isTrue();

    budget.release(700);
    assertThat(budget.belowLowWater()).isTrue();
    budget.release(400);
    assertThat(budget.usedBytes()).isZero();
  }
}
