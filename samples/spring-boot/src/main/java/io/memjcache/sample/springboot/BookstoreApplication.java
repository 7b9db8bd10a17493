package io.memjcache.sample.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cache.annotation.EnableCaching;

/**
 * A bookstore whose Spring caches live on memcached: MemJCache's Spring Boot starter, configured in
 * application.properties ({@code memjcache.*}).
 */
@SpringBootApplication
@EnableCaching
public class BookstoreApplication {

  public static void main(String[] args) {
    SpringApplication.run(BookstoreApplication.class, args);
  }
}
