package io.memjcache;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Test helper: copies everything written to System.err (where slf4j-simple logs, from any thread)
 * while open, and still lets it through.
 */
final class StdErrCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

  StdErrCapture() {
    System.setErr(new PrintStream(new Tee(original, copy), true, StandardCharsets.UTF_8));
  }

  /** What was written so far. */
  String text() {
    synchronized (copy) {
      return copy.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    System.setErr(original);
  }

  private static final class Tee extends OutputStream {
    private final OutputStream through;
    private final ByteArrayOutputStream copy;

    Tee(OutputStream through, ByteArrayOutputStream copy) {
      this.through = through;
      this.copy = copy;
    }

    @Override
    public void write(int c) throws IOException {
      through.write(c);
      synchronized (copy) {
        copy.write(c);
      }
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      through.write(bytes, off, len);
      synchronized (copy) {
        copy.write(bytes, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      through.flush();
    }
  }
}
