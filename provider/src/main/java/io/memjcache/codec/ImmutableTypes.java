package io.memjcache.codec;

/**
 * The types whose instances every caller may share: a fresh copy of one would be
 * indistinguishable from it. Store-by-value needs no copy of them.
 */
public final class ImmutableTypes {

  private ImmutableTypes() {}

  public static boolean isImmutable(Object value) {
    return value instanceof String || value instanceof Integer || value instanceof Long
        || value instanceof Boolean || value instanceof Double || value instanceof Float
        || value instanceof Short || value instanceof Byte || value instanceof Character;
  }

  /**
   * Immutable keys that are equal exactly when their serialized forms are, so they may key a local
   * table as they are (not Double or Float: NaNs with different bits are equal).
   */
  public static boolean isLocalKey(Object key) {
    return key instanceof String || key instanceof Integer || key instanceof Long
        || key instanceof Boolean || key instanceof Short || key instanceof Byte || key instanceof Character;
  }
}
