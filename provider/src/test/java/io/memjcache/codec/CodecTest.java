package io.memjcache.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CodecTest {

  record Order(long id, String item) implements Serializable {}

  /** Stands in for a gadget: a serializable class nobody allowed. */
  static final class Gadget implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  private final Serializer serializer =
      new Serializer(getClass().getClassLoader(), DeserializationFilters.allowlist(Set.of(Order.class), List.of()));

  private Object roundTrip(Object value) {
    byte[] bytes = serializer.serialize(value);
    return serializer.deserialize(bytes, 0, bytes.length);
  }

  @Test
  void fastPathsRoundTripCompactly() {
    for (Object value : List.of("héllo", 42, 42L, true, 1.5d, 2.5f, (short) 7, (byte) 3, 'x', "")) {
      assertEquals(value, roundTrip(value));
    }
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) roundTrip(new byte[] {1, 2, 3}));
    assertEquals(5, serializer.serialize(42).length);
    assertEquals(6, serializer.serialize("hello").length);
  }

  @Test
  void javaSerializationCoversJdkAndDeclaredTypes() {
    HashMap<String, List<Integer>> map = new HashMap<>();
    map.put("a", new ArrayList<>(List.of(1, 2)));
    assertEquals(map, roundTrip(map));
    assertEquals(new BigDecimal("1.25"), roundTrip(new BigDecimal("1.25")));
    assertEquals(Instant.ofEpochSecond(5), roundTrip(Instant.ofEpochSecond(5)));
    assertEquals(new Order(1, "book"), roundTrip(new Order(1, "book")));
  }

  @Test
  void refusesClassesOutsideTheAllowlist() {
    byte[] bytes = serializer.serialize(new Gadget());
    DisallowedClassException e =
        assertThrows(DisallowedClassException.class, () -> serializer.deserialize(bytes, 0, bytes.length));
    assertTrue(e.getMessage().contains(Gadget.class.getName()), e.getMessage());
    Serializer allowing =
        new Serializer(getClass().getClassLoader(),
            DeserializationFilters.allowlist(Set.of(), List.of(Gadget.class.getName())));
    assertEquals(Gadget.class, allowing.deserialize(bytes, 0, bytes.length).getClass());
  }

  @Test
  void nonSerializableValueNamesItsType() {
    javax.cache.CacheException e =
        assertThrows(javax.cache.CacheException.class, () -> serializer.serialize(new Object()));
    assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
  }

  @Test
  void anArrayTypeAllowsItsElementClassOnly() {
    Serializer orders = new Serializer(getClass().getClassLoader(),
        DeserializationFilters.allowlist(List.of(String.class, Order[][].class, int[].class), List.of()));
    Order[][] grid = {{new Order(1, "a")}};
    byte[] bytes = orders.serialize(grid);
    assertEquals(new Order(1, "a"), ((Order[][]) orders.deserialize(bytes, 0, bytes.length))[0][0]);
    byte[] gadgets = orders.serialize(new Object[] {new Gadget()});
    assertThrows(DisallowedClassException.class, () -> orders.deserialize(gadgets, 0, gadgets.length));
  }

  @Test
  void configuredPatternsComeFirstAndMayChangeTheLimits() {
    Serializer noSets = new Serializer(getClass().getClassLoader(),
        DeserializationFilters.allowlist(Set.of(), List.of("!java.util.HashSet")));
    byte[] set = noSets.serialize(new java.util.HashSet<>(List.of(1)));
    DisallowedClassException e =
        assertThrows(DisallowedClassException.class, () -> noSets.deserialize(set, 0, set.length));
    assertTrue(e.getMessage().contains("java.util.HashSet"), e.getMessage());

    List<Object> deep = new ArrayList<>();
    List<Object> level = deep;
    for (int i = 0; i < 30; i++) {
      List<Object> inner = new ArrayList<>();
      level.add(inner);
      level = inner;
    }
    byte[] bytes = serializer.serialize(deep);
    DisallowedClassException tooDeep =
        assertThrows(DisallowedClassException.class, () -> serializer.deserialize(bytes, 0, bytes.length));
    assertTrue(tooDeep.getMessage().contains("maxdepth=" + DeserializationFilters.DEFAULT_MAX_DEPTH), tooDeep.getMessage());
    Serializer deeper = new Serializer(getClass().getClassLoader(),
        DeserializationFilters.allowlist(Set.of(), List.of("maxdepth=40")));
    assertEquals(deep, deeper.deserialize(bytes, 0, bytes.length));
  }

  @Test
  void noArrayIsLongerThanTheBytesThatHoldIt() throws Exception {
    byte[] bytes = serializer.serialize(new long[0]);
    java.nio.ByteBuffer.wrap(bytes).putInt(bytes.length - 4, 100_000_000);
    DisallowedClassException e =
        assertThrows(DisallowedClassException.class, () -> serializer.deserialize(bytes, 0, bytes.length));
    assertTrue(e.getMessage().contains("long[] of 100000000 elements"), e.getMessage());
    long[] genuine = new long[50_000];
    byte[] genuineBytes = serializer.serialize(genuine);
    assertArrayEquals(genuine, (long[]) serializer.deserialize(genuineBytes, 0, genuineBytes.length));
  }

  @Test
  void sharedCollectionsWithinReasonAreNotTakenForHashBombs() {
    List<String> tags = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      tags.add("tag" + i);
    }
    HashMap<String, List<String>> shared = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      shared.put("k" + i, tags); // one list reached 10,000 times: a million hash steps, 130 KB
    }
    byte[] bytes = serializer.serialize(shared);
    assertEquals(shared, serializer.deserialize(bytes, 0, bytes.length));

    // The same sharing, nested so that each level multiplies the steps by 4, within the depth
    // limit: refused once it passes the bound, before the set hashes it.
    Set<Object> bomb = new java.util.HashSet<>();
    List<Object> level = new ArrayList<>();
    bomb.add(level);
    for (int i = 0; i < 14; i++) {
      List<Object> inner = new ArrayList<>(List.of(i));
      for (int copy = 0; copy < 4; copy++) {
        level.add(inner);
      }
      level = inner;
    }
    byte[] bombBytes = serializer.serialize(bomb);
    DisallowedClassException e =
        assertThrows(DisallowedClassException.class, () -> serializer.deserialize(bombBytes, 0, bombBytes.length));
    assertTrue(e.getMessage().contains("hash bomb"), e.getMessage());
  }

  @Test
  void garbageIsCorruptNotACrash() {
    assertThrows(CorruptEntryException.class, () -> serializer.deserialize(new byte[] {99, 1}, 0, 2));
    assertThrows(CorruptEntryException.class, () -> serializer.deserialize(new byte[] {2, 1}, 0, 2));
    assertThrows(CorruptEntryException.class, () -> serializer.deserialize(new byte[] {0x7F, 1, 2, 3}, 0, 4));
    assertThrows(CorruptEntryException.class, () -> Envelope.decode(2, new byte[40]));
    assertThrows(CorruptEntryException.class, () -> Envelope.decode(1 | Envelope.HAS_EXPIRY, new byte[3]));
    assertThrows(CorruptEntryException.class, () -> Envelope.decode(1, new byte[0]));
    assertThrows(CorruptEntryException.class, () -> Envelope.decode(1 | Envelope.HAS_KEY, new byte[20]));
  }

  @Test
  void envelopeRoundTrips() {
    Envelope plain = new Envelope(Envelope.NEVER, null, new byte[] {1, 'a'});
    assertEquals(2, plain.encode().length, "an eternal entry costs nothing beyond its value");
    Envelope decoded = Envelope.decode(plain.flags(), plain.encode());
    assertEquals(Envelope.NEVER, decoded.expiresAt());
    assertNull(decoded.key());
    assertArrayEquals(plain.value(), decoded.value());

    Envelope keyed = new Envelope(2, new byte[] {9, 9}, new byte[] {1, 'b'});
    assertEquals(8 + 4 + 2 + 2, keyed.encode().length);
    Envelope decodedKeyed = Envelope.decode(keyed.flags(), keyed.encode());
    assertArrayEquals(new byte[] {9, 9}, decodedKeyed.key());
    assertTrue(decodedKeyed.isExpiredAt(2));
    assertFalse(decodedKeyed.isExpiredAt(1));
  }

  @Test
  void keysFitMemcachedAndLongOnesAreHashed() {
    KeyCodec codec = new KeyCodec("app", "orders:eu");
    assertEquals("app:orders~3aeu:", codec.prefix());
    byte[] shortKey = serializer.serialize("k1");
    KeyCodec.EncodedKey encoded = codec.encode(shortKey);
    assertFalse(encoded.hashed());
    assertEquals("app:orders~3aeu:=k1", encoded.memcachedKey(), "plain String keys stay readable");
    assertEquals(encoded.memcachedKey(), codec.encodePlain("k1").memcachedKey(), "the fast path agrees");
    assertNull(codec.encodePlain("with space"));
    assertNull(codec.encodePlain("x".repeat(300)));
    assertArrayEquals(shortKey, codec.serializedKeyOf(encoded.memcachedKey()));
    for (Object key : List.of("with space", "ünï", "a=b", "", 42, 42L)) {
      byte[] serialized = serializer.serialize(key);
      assertArrayEquals(serialized, codec.serializedKeyOf(codec.encode(serialized).memcachedKey()), String.valueOf(key));
    }

    byte[] longKey = serializer.serialize("x".repeat(300));
    KeyCodec.EncodedKey hashed = codec.encode(longKey);
    assertTrue(hashed.hashed());
    assertTrue(hashed.memcachedKey().length() <= KeyCodec.MAX_KEY_LENGTH);
    assertTrue(hashed.memcachedKey().startsWith(codec.prefix()));
    assertNull(codec.serializedKeyOf(hashed.memcachedKey()));

    String longName = new KeyCodec("app", "n".repeat(500)).prefix();
    assertTrue(longName.length() < 100, longName);
    // Names that differ only in escaped characters never share a prefix.
    assertFalse(new KeyCodec("app", "a").prefix().equals(new KeyCodec("app", "a:").prefix()));
  }
}
