package io.memjcache.membership;

/**
 * One logged cache call of a model-checked load test.
 *
 * @param key the key's index
 * @param kind {@link #GET}, {@link #PUT}, {@link #REMOVE}, {@link #INVOKE} or {@link #GET_ALL} (one
 *     logged call per key of a getAll, all with the getAll's interval)
 * @param written the value id a put or invoke wrote (0 for get and remove)
 * @param seen what a get or invoke read: a value id, 0 for a miss, {@link #FOREIGN} for a value this
 *     test never writes, -1 for put and remove
 * @param start when the call began (one clock or sequence for every call checked together)
 * @param end when it returned or threw
 * @param error the failure, or null
 * @param client which manager made the call (for the report)
 */
record Call(int key, int kind, long written, long seen, long start, long end, String error, int client) {

  static final int GET = 0;
  static final int PUT = 1;
  static final int REMOVE = 2;
  static final int INVOKE = 3;
  static final int GET_ALL = 4;
  static final long FOREIGN = -2;

  boolean failed() {
    return error != null;
  }

  boolean writes() {
    return kind == PUT || kind == REMOVE || kind == INVOKE;
  }

  /** A read that returned (a get, or an invoke's view of the value it replaced). */
  boolean reads() {
    return (kind == GET || kind == GET_ALL || kind == INVOKE) && !failed();
  }

  static String valueText(long id) {
    return id == 0 ? "absent" : id == FOREIGN ? "a foreign value" : "v" + id;
  }

  static long parse(String value) {
    if (value == null) {
      return 0;
    }
    try {
      long id = Long.parseLong(value.substring(1));
      return value.charAt(0) == 'v' && id > 0 ? id : FOREIGN;
    } catch (RuntimeException e) {
      return FOREIGN;
    }
  }

  @Override
  public String toString() {
    String what = switch (kind) {
      case GET -> "get k" + key + " -> " + valueText(seen);
      case GET_ALL -> "getAll(.., k" + key + ", ..) k" + key + " -> " + valueText(seen);
      case PUT -> "put k" + key + "=" + valueText(written);
      case REMOVE -> "remove k" + key;
      default -> "invoke k" + key + " " + valueText(seen) + " -> " + valueText(written);
    };
    return "m" + client + " " + what + " [" + start + ", " + end + "]" + (error == null ? "" : " failed: " + error);
  }
}
