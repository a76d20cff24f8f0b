package saga;

/** Given: the orchestrator's tables, in the order service's own database. SagaStore reads and writes them. */
public final class Schema {
    private Schema() {}

    public static final String SAGAS = """
        create table sagas (
            order_id varchar(64) primary key,
            status varchar(16) not null,
            failed_step varchar(32),
            reason varchar(500));
        create table saga_steps (
            order_id varchar(64) not null,
            step int not null,
            state varchar(16) not null,
            primary key (order_id, step));
        """;
}
