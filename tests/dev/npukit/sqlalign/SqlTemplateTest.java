package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.NpukitException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTemplateTest {
    @Test
    void designSixExample() {
        String sql = "SELECT `Free Meal Count (K-12)` / `Enrollment (K-12)` FROM frpm WHERE `County Name` = 'Alameda'"
                + " ORDER BY (CAST(`Free Meal Count (K-12)` AS REAL) / `Enrollment (K-12)`) DESC LIMIT 1";
        assertEquals("SELECT / FROM WHERE = ORDER BY ( CAST ( ) / ) DESC LIMIT", SqlTemplate.of(sql));
    }

    @Test
    void keywordsAreUppercasedAndSingleSpaced() {
        assertEquals("SELECT FROM WHERE = ORDER BY DESC",
                SqlTemplate.of("select  name\tfrom singer   where age  =  3 order by name desc"));
    }

    @Test
    void functionNamesAreKeptOnlyBeforeParenthesis() {
        assertEquals("SELECT COUNT ( * ) FROM", SqlTemplate.of("SELECT count(*) FROM singer"));
        assertEquals("SELECT COUNT ( * ) FROM", SqlTemplate.of("SELECT count (*) FROM singer"));
        // Without "(" the same word is an identifier (a column named count).
        assertEquals("SELECT FROM", SqlTemplate.of("SELECT count FROM t"));
        assertEquals("SELECT STRFTIME ( , ) FROM", SqlTemplate.of("SELECT strftime('%Y', d) FROM t"));
    }

    @Test
    void qualifiedAndQuotedNamesAreDropped() {
        assertEquals("SELECT FROM JOIN ON =", SqlTemplate.of("SELECT T1.name FROM a AS T1 JOIN b AS T2 ON T1.id = T2.id"));
        assertEquals("SELECT FROM", SqlTemplate.of("SELECT T1.`Free Meal Count (K-12)` FROM `frpm table` AS T1"));
        assertEquals("SELECT FROM", SqlTemplate.of("SELECT [order id] FROM [my table]"));
        assertEquals("SELECT FROM", SqlTemplate.of("SELECT \"t\".\"c\" FROM \"t\""));
        assertEquals("SELECT , FROM", SqlTemplate.of("SELECT T2.'Group', T2.Name FROM x AS T2"));
        assertEquals("SELECT * FROM", SqlTemplate.of("SELECT T1.* FROM t AS T1"));
    }

    @Test
    void literalsAreDroppedWhateverTheirQuoting() {
        assertEquals("SELECT FROM WHERE = AND = AND = AND > AND <",
                SqlTemplate.of("SELECT a FROM t WHERE b = 'it''s' AND c = \"PVLDB\" AND d = 1.5e3 AND e > .5 AND f < 0x1F"));
    }

    @Test
    void multiCharacterOperatorsAreSingleTokens() {
        List<String> tokens = SqlTemplate.tokens("SELECT a || b FROM t WHERE a <> 1 AND b != 2 AND c >= 3 AND d <= 4");
        assertEquals(List.of("SELECT", "||", "FROM", "WHERE", "<>", "AND", "!=", "AND", ">=", "AND", "<="), tokens);
    }

    @Test
    void signOfANumberIsDroppedButBinaryMinusIsKept() {
        assertEquals("SELECT FROM WHERE >", SqlTemplate.of("SELECT a FROM t WHERE b > -1"));
        assertEquals(SqlTemplate.of("SELECT a FROM t WHERE b > 1"), SqlTemplate.of("SELECT a FROM t WHERE b > -1"));
        assertEquals("SELECT - FROM", SqlTemplate.of("SELECT a - 1 FROM t"));
        assertEquals("SELECT - FROM", SqlTemplate.of("SELECT a -1 FROM t"));
        assertEquals("SELECT MAX ( ) - FROM", SqlTemplate.of("SELECT MAX(a) -1 FROM t"));
        assertEquals("SELECT * FROM", SqlTemplate.of("SELECT a * -1 FROM t"));
    }

    @Test
    void asIsDroppedEvenInCommonTableExpressions() {
        assertEquals("WITH ( SELECT FROM ) SELECT FROM",
                SqlTemplate.of("WITH x AS (SELECT a AS b FROM t) SELECT b FROM x"));
    }

    @Test
    void terminatorsCommentsAndWhitespaceProduceNoTokens() {
        assertEquals("SELECT FROM", SqlTemplate.of("  SELECT a -- the name\nFROM t /* all rows */ ;  "));
    }

    @Test
    void keywordListIsUppercaseAndLeavesOutAs() {
        assertTrue(SqlKeywords.isKeyword("select"));
        assertTrue(!SqlKeywords.isKeyword("AS") && !SqlKeywords.isKeyword("count"));
        SqlKeywords.all().forEach(k -> assertEquals(k.toUpperCase(java.util.Locale.ROOT), k));
    }

    @Test
    void unknownCharacterAndUnterminatedQuoteNameThePosition() {
        SqlSyntaxException e = assertThrows(SqlSyntaxException.class, () -> SqlTemplate.of("SELECT a # b FROM t"));
        assertEquals(9, e.position());
        assertTrue(e.getMessage().contains("'#'"), e.getMessage());
        SqlSyntaxException q = assertThrows(SqlSyntaxException.class, () -> SqlTemplate.of("SELECT 'abc FROM t"));
        assertEquals(7, q.position());
        assertThrows(NpukitException.class, () -> SqlTemplate.of("SELECT 'abc FROM t"), "a runtime failure under the one root");
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> SqlLexer.tokenize(null));
        assertTrue(n.getMessage().startsWith("sql:"));
    }
}
