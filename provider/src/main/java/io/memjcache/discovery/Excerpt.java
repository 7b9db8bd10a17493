package io.memjcache.discovery;

/** A short, printable excerpt of untrusted text for messages: never echoes much of a huge or binary answer. */
final class Excerpt {

  static final int MAX_CHARS = 60;

  private Excerpt() {}

  static String of(CharSequence text) {
    StringBuilder shown = new StringBuilder("'");
    int n = Math.min(text.length(), MAX_CHARS);
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c < 0x7f) {
        shown.append(c);
      } else {
        shown.append(String.format("\\x%02x", (int) c & 0xff));
      }
    }
    shown.append('\'');
    if (text.length() > n) {
      shown.append("... (").append(text.length()).append(" chars)");
    }
    return shown.toString();
  }
}
