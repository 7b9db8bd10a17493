package io.memjcache.sample.hibernate;

/**
 * A book's genre. Hibernate keeps enum attribute values as the enum constants in its cache entries,
 * so this type must be on the MemJCache deserialization allowlist.
 */
public enum Genre {
  FANTASY,
  SCIENCE_FICTION,
  ESSAY
}
