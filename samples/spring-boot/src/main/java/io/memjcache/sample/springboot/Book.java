package io.memjcache.sample.springboot;

import java.io.Serializable;

/**
 * A book. Cached values leave the JVM, so it is {@link Serializable}; MemJCache deserializes it only
 * because its package is on {@code memjcache.deserialization.allowlist} in application.properties.
 */
public record Book(String isbn, String title, String author, int year) implements Serializable {}
