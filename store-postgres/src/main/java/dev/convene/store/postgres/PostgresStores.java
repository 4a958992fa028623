package dev.convene.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.convene.store.StoreUnavailableException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL stores of one process over one connection pool: opens the pool, brings the
 * schema up to date with Flyway, and hands out {@link PostgresMeetingStore},
 * {@link PostgresParticipantStore}, {@link PostgresChatStore} and {@link PostgresSeatLedger}.
 * Thread-safe; close it once, when the process stops.
 */
public final class PostgresStores implements AutoCloseable {

    /** Where the migrations live on the classpath. */
    public static final String MIGRATIONS = "classpath:db/migration/convene";

    private static final Logger log = LoggerFactory.getLogger(PostgresStores.class);

    private final HikariDataSource dataSource;
    private final PostgresMeetingStore meetings;
    private final PostgresParticipantStore participants;
    private final PostgresChatStore chat;
    private final PostgresSeatLedger seats;

    private PostgresStores(HikariDataSource dataSource, PostgresStoreConfig config, Clock clock) {
        this.dataSource = dataSource;
        Db db = new Db(dataSource);
        this.meetings = new PostgresMeetingStore(db, clock);
        this.participants = new PostgresParticipantStore(db);
        this.chat = new PostgresChatStore(db, config.chatBufferCapacity());
        this.seats = new PostgresSeatLedger(db, clock);
    }

    /** Opens the stores with the default pool size and timeouts. */
    public static PostgresStores open(String jdbcUrl, String user, String password) {
        return open(PostgresStoreConfig.of(jdbcUrl, user, password));
    }

    public static PostgresStores open(PostgresStoreConfig config) {
        return open(config, Clock.systemUTC());
    }

    /**
     * Opens a pool, migrates the schema, and returns the stores.
     *
     * @throws StoreUnavailableException if the database cannot be reached within
     *         {@link PostgresStoreConfig#connectTimeout()}
     * @throws PostgresStoreException if the migration fails for another reason
     */
    public static PostgresStores open(PostgresStoreConfig config, Clock clock) {
        HikariDataSource dataSource = openPool(config);
        try {
            int applied = migrate(dataSource, config.schema());
            log.info("event=postgres_stores_opened url={} schema={} migrations_applied={} pool_size={}",
                    config.redactedUrl(), config.schema(), applied, config.maxPoolSize());
            return new PostgresStores(dataSource, config, clock);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * Applies the pending migrations of {@link #MIGRATIONS}; running it again applies nothing.
     *
     * @param schema the schema to migrate (created if missing), or null for the default
     * @return the number of migrations applied
     */
    public static int migrate(DataSource dataSource, String schema) {
        var flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                .failOnMissingLocations(true);
        if (schema != null) {
            flyway.schemas(schema).defaultSchema(schema).createSchemas(true);
        }
        try {
            return flyway.load().migrate().migrationsExecuted;
        } catch (FlywayException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && SqlErrors.isUnavailable(sql)) {
                    throw new StoreUnavailableException("PostgreSQL unavailable during migration: " + sql.getMessage(), e);
                }
            }
            throw new PostgresStoreException("schema migration failed: " + e.getMessage(), e);
        }
    }

    private static HikariDataSource openPool(PostgresStoreConfig config) {
        Duration connect = config.connectTimeout();
        int connectSeconds = (int) Math.max(1, (connect.toMillis() + 999) / 1000);
        long statementMillis = config.statementTimeout().toMillis();
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("convene-postgres");
        hc.setJdbcUrl(config.jdbcUrl());
        if (config.user() != null) {
            hc.setUsername(config.user());
        }
        if (config.password() != null) {
            hc.setPassword(config.password());
        }
        if (config.schema() != null) {
            hc.setSchema(config.schema());
        }
        hc.setMaximumPoolSize(config.maxPoolSize());
        hc.setMinimumIdle(Math.min(2, config.maxPoolSize()));
        // Waiting for a pooled connection and opening a new one are both bounded, so a dead
        // database shows up as StoreUnavailableException after about connectTimeout, never as a hang.
        hc.setConnectionTimeout(connect.toMillis());
        hc.setValidationTimeout(Math.max(250, connect.toMillis() / 2));
        hc.setInitializationFailTimeout(connect.toMillis());
        // Strings only: the driver reads these with Properties.getProperty, which ignores other types.
        hc.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds));
        hc.addDataSourceProperty("loginTimeout", String.valueOf(connectSeconds));
        // A server that stops answering mid-query (network partition) is given up after this.
        hc.addDataSourceProperty("socketTimeout", String.valueOf(statementMillis / 1000 + 5));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("reWriteBatchedInserts", "true");
        hc.addDataSourceProperty("ApplicationName", "convene");
        hc.addDataSourceProperty("options",
                "-c statement_timeout=" + statementMillis + " -c lock_timeout=" + statementMillis);
        try {
            return new HikariDataSource(hc);
        } catch (HikariPool.PoolInitializationException e) {
            throw new StoreUnavailableException("PostgreSQL unreachable at " + config.redactedUrl()
                    + " within " + connect.toMillis() + " ms: " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    public PostgresMeetingStore meetings() {
        return meetings;
    }

    public PostgresParticipantStore participants() {
        return participants;
    }

    public PostgresChatStore chat() {
        return chat;
    }

    public PostgresSeatLedger seats() {
        return seats;
    }

    /** The pool, for health checks and tests. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Flushes chat history (bounded wait), then closes the pool. Closing twice is harmless. */
    @Override
    public void close() {
        chat.close();
        dataSource.close();
    }
}
