package io.memjcache.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One request/response over memcached's text protocol on a fresh socket. Enough for the fixture's
 * own checks (version, stats, flush_all) and its tests (set/get); not a client.
 */
final class TextClient {

  /** Lines that end a response. VALUE blocks and STAT lines come before one of these. */
  private static final Set<String> TERMINAL =
      Set.of("END", "OK", "STORED", "NOT_STORED", "EXISTS", "NOT_FOUND", "DELETED", "ERROR");

  private TextClient() {}

  /**
   * Sends {@code command} (without the trailing CRLF; a storage command's data block is part of
   * it, e.g. {@code "set k 0 0 1\r\nv"}) and returns the response lines, CRLFs included.
   */
  static String request(InetSocketAddress address, String command, int timeoutMillis)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(address, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder response = new StringBuilder();
      while (true) {
        String line = readLine(in);
        response.append(line).append("\r\n");
        if (line.startsWith("VALUE ")) {
          String[] parts = line.split(" ");
          int length = Integer.parseInt(parts[3]);
          byte[] data = in.readNBytes(length + 2);
          if (data.length != length + 2) {
            throw new EOFException("connection closed inside a value: " + response);
          }
          response.append(new String(data, StandardCharsets.UTF_8));
        } else if (TERMINAL.contains(line)
            || line.startsWith("VERSION ")
            || line.startsWith("CLIENT_ERROR")
            || line.startsWith("SERVER_ERROR")) {
          return response.toString();
        }
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new EOFException("connection closed after: " + line.toString(StandardCharsets.UTF_8));
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.UTF_8);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
