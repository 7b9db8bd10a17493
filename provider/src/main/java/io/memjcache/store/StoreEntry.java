package io.memjcache.store;

/** Bytes read from the store with their flags and the CAS token of that version. */
public record StoreEntry(int flags, byte[] data, long cas) {}
