package io.memjcache.sample.springboot;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Repository;

/** The slow system of record the cache saves us from: every read takes a while and is counted. */
@Repository
public class BookRepository {

  private static final long LATENCY_MILLIS = 50;

  private final Map<String, Book> books = new ConcurrentHashMap<>();
  private final AtomicInteger reads = new AtomicInteger();

  public BookRepository() {
    for (Book book : List.of(
        new Book("978-0441172719", "Dune", "Frank Herbert", 1965),
        new Book("978-0441104024", "Dune Messiah", "Frank Herbert", 1969),
        new Book("978-0547773742", "A Wizard of Earthsea", "Ursula K. Le Guin", 1968),
        new Book("978-0441478125", "The Left Hand of Darkness", "Ursula K. Le Guin", 1969),
        new Book("978-0060512750", "The Dispossessed", "Ursula K. Le Guin", 1974),
        new Book("978-0553283686", "Hyperion", "Dan Simmons", 1989),
        new Book("978-0812550702", "Ender's Game", "Orson Scott Card", 1985),
        new Book("978-0441569595", "Neuromancer", "William Gibson", 1984))) {
      books.put(book.isbn(), book);
    }
  }

  /** The book, or null when there is none. */
  public Book findByIsbn(String isbn) {
    slowRead();
    return books.get(isbn);
  }

  /** The author's books published in {@code since} or later, oldest first. */
  public List<Book> findByAuthor(String author, int since) {
    slowRead();
    return books.values().stream()
        .filter(book -> book.author().equals(author) && book.year() >= since)
        .sorted(Comparator.comparingInt(Book::year).thenComparing(Book::isbn))
        .toList();
  }

  public Book save(Book book) {
    books.put(book.isbn(), book);
    return book;
  }

  public void delete(String isbn) {
    books.remove(isbn);
  }

  /** How many reads reached this repository (cache misses). */
  public int reads() {
    return reads.get();
  }

  private void slowRead() {
    reads.incrementAndGet();
    try {
      Thread.sleep(LATENCY_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
