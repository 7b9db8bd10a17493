package io.memjcache.leakapp;

import java.io.Serializable;
import java.util.Objects;

/**
 * A value class of the simulated web app: defined by its class loader, stored by its caches. Not a
 * record: JDK 17 caches a method handle typed with the first record class whose equals it
 * bootstraps (ObjectMethods.OBJECT_EQ's asTypeCache), which would keep this loader alive by itself.
 */
public final class LeakValue implements Serializable {

  private static final long serialVersionUID = 1L;

  private final String text;

  public LeakValue(String text) {
    this.text = text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LeakValue value && value.text.equals(text);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(text);
  }
}
