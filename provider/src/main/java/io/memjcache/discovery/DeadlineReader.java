package io.memjcache.discovery;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Reads an answer from a socket within one deadline and one size bound: a silent or slowly
 * dripping peer fails with {@link SocketTimeoutException} when the deadline passes (each read waits
 * at most the time left), a talkative one with an {@link IOException} past {@code maxBytes}.
 */
final class DeadlineReader {

  private final Socket socket;
  private final InputStream in;
  private final long deadlineNanos;
  private final long maxBytes;
  private final byte[] buffer = new byte[8192];
  private int position;
  private int limit;
  private long total;

  DeadlineReader(Socket socket, long deadlineNanos, long maxBytes) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.deadlineNanos = deadlineNanos;
    this.maxBytes = maxBytes;
  }

  /** One line ending in CRLF, without it; longer than {@code maxLength} bytes is refused. */
  String readLine(int maxLength) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = read();
      if (b == '\n') {
        if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
          throw new IOException("a line not ending in CRLF: " + Excerpt.of(line));
        }
        line.setLength(line.length() - 1);
        return line.toString();
      }
      if (line.length() >= maxLength) {
        throw new IOException("a line longer than " + maxLength + " bytes: " + Excerpt.of(line));
      }
      line.append((char) b);
    }
  }

  /** Exactly {@code length} bytes. */
  byte[] readExactly(int length) throws IOException {
    byte[] data = new byte[length];
    int filled = 0;
    while (filled < length) {
      if (position == limit) {
        fill();
      }
      int n = Math.min(length - filled, limit - position);
      System.arraycopy(buffer, position, data, filled, n);
      position += n;
      filled += n;
    }
    return data;
  }

  private int read() throws IOException {
    if (position == limit) {
      fill();
    }
    return buffer[position++] & 0xff;
  }

  private void fill() throws IOException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw new SocketTimeoutException("no complete answer in time");
    }
    socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left))));
    int n;
    try {
      n = in.read(buffer);
    } catch (SocketTimeoutException e) {
      throw new SocketTimeoutException("no complete answer in time");
    }
    if (n < 0) {
      throw new EOFException("the connection closed before the answer was complete");
    }
    total += n;
    if (total > maxBytes) {
      throw new IOException("an answer longer than " + maxBytes + " bytes");
    }
    position = 0;
    limit = n;
  }
}
