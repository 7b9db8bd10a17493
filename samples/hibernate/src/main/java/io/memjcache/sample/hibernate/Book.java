package io.memjcache.sample.hibernate;

import jakarta.persistence.Cacheable;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Version;
import org.hibernate.annotations.Cache;
import org.hibernate.annotations.CacheConcurrencyStrategy;

/** An entity cached in region {@code io.memjcache.sample.hibernate.Book}. */
@Entity
@Cacheable
@Cache(usage = CacheConcurrencyStrategy.READ_WRITE)
public class Book {

  @Id @GeneratedValue private Long id;

  @ManyToOne(fetch = FetchType.LAZY, optional = false)
  private Author author;

  private String title;

  private int published;

  @Enumerated(EnumType.STRING)
  private Genre genre;

  @Version private int version;

  protected Book() {}

  Book(Author author, String title, int published, Genre genre) {
    this.author = author;
    this.title = title;
    this.published = published;
    this.genre = genre;
  }

  public Long getId() {
    return id;
  }

  public Author getAuthor() {
    return author;
  }

  public String getTitle() {
    return title;
  }

  public void setTitle(String title) {
    this.title = title;
  }

  public int getPublished() {
    return published;
  }

  public Genre getGenre() {
    return genre;
  }
}
