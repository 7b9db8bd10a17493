/**
 * How a {@link io.memjcache.MemcachedCache} keeps JCache's semantics on the {@link
 * io.memjcache.store.Store}: reading and writing entries with compare-and-swap, bulk operations,
 * entry processors, loads and their leases, pending events, iteration, and the manager's
 * resources. Public only so that the API classes in {@code io.memjcache} can use it: not an API,
 * and free to change between releases.
 */
package io.memjcache.cache;
