package io.memjcache.sample.springboot;

import java.util.List;
import java.util.Optional;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /books/{isbn}} and {@code GET /books?author=...&since=...}, served through the cache. */
@RestController
public class BookController {

  private final BookService books;

  public BookController(BookService books) {
    this.books = books;
  }

  @GetMapping("/books/{isbn}")
  public ResponseEntity<Book> find(@PathVariable("isbn") String isbn) {
    return ResponseEntity.of(Optional.ofNullable(books.find(isbn)));
  }

  @GetMapping("/books")
  public List<Book> byAuthor(
      @RequestParam("author") String author, @RequestParam(name = "since", defaultValue = "0") int since) {
    return books.byAuthor(author, since);
  }
}
