package io.memjcache.sample.springboot;

import java.util.List;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.stereotype.Service;

/**
 * Spring's cache annotations over the slow repository. The caches live on memcached, so every
 * instance of the application shares them.
 *
 * <ul>
 *   <li>{@code books}: key = the ISBN (Spring's key for a one-argument method is the argument),
 *       value = the {@link Book}, or Spring's {@code NullValue} for an unknown ISBN.
 *   <li>{@code booksByAuthor}: key = {@code SimpleKey(author, since)} (two arguments), value = a
 *       {@code List<Book>}.
 * </ul>
 */
@Service
public class BookService {

  private final BookRepository repository;

  public BookService(BookRepository repository) {
    this.repository = repository;
  }

  /** Cached; a missing book (null) is cached too, so unknown ISBNs do not hammer the repository. */
  @Cacheable("books")
  public Book find(String isbn) {
    return repository.findByIsbn(isbn);
  }

  /**
   * {@link #find} for a hot book: with {@code sync = true}, concurrent misses of one ISBN call the
   * repository once, in this instance and across every instance of the application (Spring runs
   * it through {@code Cache.invoke}, and MemJCache lets one invocation per key load at a time).
   */
  @Cacheable(cacheNames = "books", sync = true)
  public Book findOnce(String isbn) {
    return repository.findByIsbn(isbn);
  }

  @Cacheable("booksByAuthor")
  public List<Book> byAuthor(String author, int since) {
    return repository.findByAuthor(author, since);
  }

  /** Writes through: the cached book is replaced and author listings are dropped. */
  @Caching(
      put = @CachePut(cacheNames = "books", key = "#result.isbn()"),
      evict = @CacheEvict(cacheNames = "booksByAuthor", allEntries = true))
  public Book save(Book book) {
    return repository.save(book);
  }

  @Caching(
      evict = {
        @CacheEvict(cacheNames = "books"),
        @CacheEvict(cacheNames = "booksByAuthor", allEntries = true)
      })
  public void delete(String isbn) {
    repository.delete(isbn);
  }
}
