// A JDBC client for tests/e2e/proxy_client_jdbc.sh: Debian's PostgreSQL JDBC
// driver through gdpr-proxy over TLS. Every step checks what the server must
// answer (values, update counts, SQLSTATEs); the first surprise prints
// "FAIL: ..." and exits 1.
//
// Usage: java -cp postgresql.jar:DIR JdbcClient HOST PORT DB USER PASSWORD EXPECTED_ROLE CALLS_COUNT
// Only temporary tables and the demo's calls table (readable by every policy)
// are used, so it runs as a passthrough DBA or as an end user.
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.HexFormat;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

public final class JdbcClient {
  private final String host;
  private final String port;
  private final String database;
  private final String user;
  private final String password;

  private JdbcClient(String[] args) {
    host = args[0];
    port = args[1];
    database = args[2];
    user = args[3];
    password = args[4];
  }

  public static void main(String[] args) {
    if (args.length != 7) {
      System.err.println("usage: JdbcClient HOST PORT DB USER PASSWORD EXPECTED_ROLE CALLS_COUNT");
      System.exit(2);
    }
    try {
      new JdbcClient(args).run(args[5], Long.parseLong(args[6]));
    } catch (AssertionError | Exception e) {
      System.err.println("FAIL: " + describe(e));
      System.exit(1);
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof SQLException sql) {
      return "SQLSTATE " + sql.getSQLState() + ": " + sql.getMessage();
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  private static void expectEqual(Object expected, Object got, String what) {
    check(expected.equals(got), what + ": expected " + expected + ", got " + got);
  }

  private Connection connect(String sslmode, String withPassword) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", withPassword);
    properties.setProperty("ssl", sslmode.equals("disable") ? "false" : "true");
    properties.setProperty("sslmode", sslmode);
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "gdpr-e2e-jdbc");
    String url = "jdbc:postgresql://" + host + ":" + port + "/" + database;
    return DriverManager.getConnection(url, properties);
  }

  private static String single(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      check(rows.next(), sql + ": no row");
      String value = rows.getString(1);
      check(!rows.next(), sql + ": more than one row");
      return value;
    }
  }

  private static void expectSqlState(String sqlstate, String what, SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      expectEqual(sqlstate, e.getSQLState(), what + " (" + e.getMessage() + ")");
      return;
    }
    throw new AssertionError(what + ": expected SQLSTATE " + sqlstate + ", but it succeeded");
  }

  @FunctionalInterface
  private interface SqlAction {
    void run() throws SQLException;
  }

  private void run(String expectedRole, long callsCount) throws Exception {
    // The proxy requires TLS: plaintext is refused with 28000 before authentication.
    expectSqlState("28000", "sslmode=disable", () -> connect("disable", password).close());
    if (!expectedRole.equals(user)) {
      // An end user (SCRAM against the proxy's catalog): a wrong password is 28P01.
      expectSqlState("28P01", "wrong password", () -> connect("require", password + "-wrong").close());
    }
    try (Connection connection = connect("require", password)) {
      expectEqual(expectedRole, single(connection, "select current_user"), "backend role");
      // The proxy sets gdpr.actor for end users; a passthrough role leaves it
      // empty, which the extension reads as the session user.
      String expectedActor = expectedRole.equals(user) ? "" : user;
      expectEqual(expectedActor, single(connection, "select current_setting('gdpr.actor')"), "gdpr.actor");
      expectEqual("gdpr-e2e-jdbc", single(connection, "select current_setting('application_name')"),
          "application_name");
      preparedStatements(connection, callsCount);
      batch(connection);
      transactions(connection);
      largeText(connection);
      cancel(connection);
    }
    System.out.println("ok: " + user + " as " + expectedRole
        + " over TLS: prepared statements, batch, rollback, large text, cancel");
  }

  private static void preparedStatements(Connection connection, long callsCount) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "create temp table jdbc_t (id int primary key, name text, amount numeric(10,2), at timestamptz, note text)");
    }
    Timestamp at = Timestamp.valueOf("2024-03-01 12:34:56");
    try (
        PreparedStatement insert = connection.prepareStatement("insert into jdbc_t values (?, ?, ?, ?, ?)")) {
      // More executions than prepareThreshold (5): the driver switches to a
      // named server-side statement, reused through the proxy.
      for (int id = 1; id <= 20; id++) {
        insert.setInt(1, id);
        insert.setString(2, "name " + id + " \u00e9\u00e8\u2713");
        insert.setBigDecimal(3, new BigDecimal(id + ".25"));
        insert.setTimestamp(4, at);
        if (id % 2 == 0) {
          insert.setNull(5, Types.VARCHAR);
        } else {
          insert.setString(5, "odd");
        }
        expectEqual(1, insert.executeUpdate(), "insert " + id);
      }
    }
    try (PreparedStatement select =
             connection.prepareStatement("select name, amount, at, note from jdbc_t where id = ?")) {
      for (int id = 1; id <= 20; id++) {
        select.setInt(1, id);
        try (ResultSet rows = select.executeQuery()) {
          check(rows.next(), "row " + id + " missing");
          expectEqual("name " + id + " \u00e9\u00e8\u2713", rows.getString(1), "name of " + id);
          expectEqual(new BigDecimal(id + ".25"), rows.getBigDecimal(2), "amount of " + id);
          expectEqual(at, rows.getTimestamp(3), "timestamp of " + id);
          check((rows.getString(4) == null) == (id % 2 == 0), "note of " + id + ": " + rows.getString(4));
          check(!rows.next(), "more than one row for " + id);
        }
      }
    }
    try (PreparedStatement count = connection.prepareStatement("select count(*) from calls where id > ?")) {
      count.setLong(1, 0);
      try (ResultSet rows = count.executeQuery()) {
        check(rows.next(), "count of calls");
        expectEqual(callsCount, rows.getLong(1), "calls counted with a parameter");
      }
    }
    // A parameter of the wrong type is the server's error, with its SQLSTATE.
    try (PreparedStatement bad = connection.prepareStatement("select ?::int")) {
      bad.setString(1, "not a number");
      expectSqlState("22P02", "invalid integer parameter", () -> bad.executeQuery().close());
    }
  }

  private static void batch(Connection connection) throws SQLException {
    try (PreparedStatement insert =
             connection.prepareStatement("insert into jdbc_t (id, name) values (?, ?)")) {
      for (int id = 1001; id <= 2000; id++) {
        insert.setInt(1, id);
        insert.setString(2, "batch " + id);
        insert.addBatch();
      }
      int[] counts = insert.executeBatch();
      expectEqual(1000, counts.length, "batch size");
      for (int count : counts) {
        expectEqual(1, count, "batch update count");
      }
    }
    expectEqual("1000|1500500",
        single(connection, "select count(*) || '|' || sum(id) from jdbc_t where id > 1000"), "batch rows");
  }

  private static void transactions(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("insert into jdbc_t (id, name) values (5001, 'rolled back')");
      expectEqual("1", single(connection, "select count(*) from jdbc_t where id = 5001"),
          "row inside the transaction");
      connection.rollback();
      expectEqual(
          "0", single(connection, "select count(*) from jdbc_t where id = 5001"), "row after rollback");

      statement.executeUpdate("insert into jdbc_t (id, name) values (5002, 'committed')");
      connection.commit();
      expectEqual("1", single(connection, "select count(*) from jdbc_t where id = 5002"), "row after commit");

      // An error aborts the transaction: later statements get 25P02 until the rollback.
      expectSqlState(
          "23505", "duplicate key", () -> statement.executeUpdate("insert into jdbc_t (id) values (1)"));
      expectSqlState("25P02", "statement in an aborted transaction", () -> single(connection, "select 1"));
      connection.rollback();
    }
    connection.setAutoCommit(true);
    expectEqual("1", single(connection, "select 1"), "session after the aborted transaction");
  }

  private static String sha256(String text) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    return HexFormat.of().formatHex(digest.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static void largeText(Connection connection) throws Exception {
    // 16 MiB generated by the server, read whole by the driver.
    try (
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(
            "select repeat('0123456789abcdef', 1048576), sha256(convert_to(repeat('0123456789abcdef', 1048576), 'UTF8'))")) {
      check(rows.next(), "large text row");
      String text = rows.getString(1);
      expectEqual(16 * 1024 * 1024, text.length(), "large text length");
      expectEqual(rows.getString(2).substring(2), sha256(text), "large text digest");
    }
    // 8 MiB sent as a parameter and read back.
    String sent = "\u00e9-"
        + "x".repeat(8 * 1024 * 1024);
    try (PreparedStatement insert =
             connection.prepareStatement("insert into jdbc_t (id, note) values (9000, ?)")) {
      insert.setString(1, sent);
      insert.executeUpdate();
    }
    try (PreparedStatement select =
             connection.prepareStatement("select note, length(note) from jdbc_t where id = ?")) {
      select.setInt(1, 9000);
      try (ResultSet rows = select.executeQuery()) {
        check(rows.next(), "large parameter row");
        expectEqual(sent.length(), rows.getInt(2), "large parameter length on the server");
        check(sent.equals(rows.getString(1)), "large parameter read back differs");
      }
    }
  }

  private static void cancel(Connection connection) throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Statement statement = connection.createStatement()) {
      long start = System.nanoTime();
      timer.schedule(() -> {
        try {
          statement.cancel();
        } catch (SQLException e) {
          System.err.println("Statement.cancel failed: " + describe(e));
        }
      }, 1, TimeUnit.SECONDS);
      expectSqlState("57014", "Statement.cancel of pg_sleep(30)",
          () -> statement.executeQuery("select pg_sleep(30)").close());
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      check(seconds < 10, "cancel took " + seconds + " s");

      // setQueryTimeout cancels through the same path.
      statement.setQueryTimeout(1);
      expectSqlState("57014", "query timeout of pg_sleep(30)",
          () -> statement.executeQuery("select pg_sleep(30)").close());
    } finally {
      timer.shutdownNow();
    }
    expectEqual("after cancel", single(connection, "select 'after cancel'"), "session after cancel");
  }
}
