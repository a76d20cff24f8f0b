package cqrs;

/**
 * Given: the two stores. The write store is the order service's own, normalized for taking orders safely; the
 * read store holds one model shaped for one screen, the "my orders" page. They are two databases: the query side
 * is given only the read store.
 */
public final class Schema {
    private Schema() {}

    /**
     * The write store: an order, its lines, and one table per thing that happens to it later. Every command also
     * appends its event to {@code events}, in the same transaction: that table is the stream the projection reads.
     */
    public static final String WRITE = """
        create table orders (
            order_id varchar(64) primary key,
            customer_id varchar(64) not null,
            placed_at timestamp with time zone not null);
        create table order_lines (
            order_id varchar(64) not null references orders,
            line_no int not null,
            sku varchar(32) not null,
            quantity int not null,
            unit_price_cents bigint not null,
            primary key (order_id, line_no));
        create table payments (
            order_id varchar(64) primary key references orders,
            paid_at timestamp with time zone not null);
        create table shipments (
            order_id varchar(64) primary key references orders,
            tracking_code varchar(64) not null,
            shipped_at timestamp with time zone not null);
        create table cancellations (
            order_id varchar(64) primary key references orders,
            reason varchar(200) not null,
            cancelled_at timestamp with time zone not null);
        create table events (
            position bigint generated always as identity primary key,
            order_id varchar(64) not null,
            type varchar(32) not null,
            payload varchar(4000) not null);
        """;

    /**
     * The read store: the page's rows, ready to show (status and totals already worked out), the customer's
     * summary line, and the projection's checkpoint: the position of the last event applied to this store.
     */
    public static final String READ = """
        create table my_orders (
            order_id varchar(64) primary key,
            customer_id varchar(64) not null,
            placed_at timestamp with time zone not null,
            items int not null,
            total_cents bigint not null,
            status varchar(16) not null,
            tracking_code varchar(64));
        create index my_orders_by_customer on my_orders (customer_id, placed_at);
        create table customer_summary (
            customer_id varchar(64) primary key,
            orders int not null,
            spent_cents bigint not null);
        create table projection_checkpoint (
            projection varchar(64) primary key,
            position bigint not null);
        insert into projection_checkpoint (projection, position) values ('my-orders', 0);
        """;
}
