package outbox;

/** Given: the tables of the two services. Each service owns its database; none reads the other's. */
public final class Schema {
    private Schema() {}

    /** The order service's database: stock it deducts, orders it takes, and its outbox. */
    public static final String ORDERS = """
        create table stock (
            sku varchar(32) primary key,
            on_hand int not null);
        create table orders (
            order_id varchar(64) primary key,
            sku varchar(32) not null,
            quantity int not null,
            amount_cents bigint not null);
        create table outbox (
            seq bigint generated always as identity primary key,
            message_id varchar(64) not null unique,
            aggregate_id varchar(64) not null,
            type varchar(64) not null,
            payload varchar(4000) not null,
            sent boolean default false not null);
        """;

    /** Payments' database: the charges it made, and the ids of the messages it has processed. */
    public static final String PAYMENTS = """
        create table charges (
            charge_id bigint generated always as identity primary key,
            order_id varchar(64) not null,
            amount_cents bigint not null);
        create table processed_messages (
            message_id varchar(64) primary key);
        """;
}
