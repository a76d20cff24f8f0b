package kittest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import kit.Database;
import kit.Hint;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("kit · the embedded database")
class DatabaseTest {
    @Test
    @DisplayName("Closing and reopening a database is a crash and a restart: committed rows survive, uncommitted ones do not")
    @Hint("kit/Database.java")
    void crashAndRestart() throws Exception {
        var db = Database.start("kit-test");
        try {
            db.run("create table t (id int primary key);\ninsert into t values (1);");
            var open = db.connect();
            open.setAutoCommit(false);
            open.createStatement().executeUpdate("insert into t values (2)");
            db.close(); // before the commit

            assertThatThrownBy(db::connect).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> db.dataSource().getConnection()).isInstanceOf(SQLException.class);
            var reopened = db.reopen();
            assertThat(reopened.count("select count(*) from t")).isEqualTo(1);
            assertThat(reopened.value("select id from t")).isEqualTo(1);
            assertThat(reopened.startTime()).isPositive();
            reopened.delete();
        } finally {
            db.delete();
        }
    }
}
