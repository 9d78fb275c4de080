package dev.npukit.sqlalign;

import dev.npukit.sqlalign.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits one SQLite-flavoured query into {@link SqlToken}s. It tokenizes only; it does not parse, so
 * it accepts any query of the shared datasets, including odd whitespace, trailing {@code ;} and CTEs.
 *
 * <p>Rules (each has a test):
 * <ul>
 *   <li>Whitespace (spaces, tabs, newlines), comments ({@code --}, {@code /* *&#47;}) and {@code ;}
 *       separate tokens and produce none.</li>
 *   <li>A name is one token even when qualified: {@code T1.col}, {@code T1.`a b`}, {@code "t"."c"},
 *       and {@code T2.'Group'} (SQLite reads a quoted string after a dot as a name; BIRD train has it).
 *       {@code T1.*} gives the name and a {@link Kind#STAR}.</li>
 *   <li>A word on the {@link SqlKeywords} list is a keyword; any other word directly followed by
 *       {@code (} (whitespace allowed) is a function name; otherwise it is an identifier.</li>
 *   <li>{@code '...'} and {@code "..."} are strings (doubled quotes escape); {@code `...`} and
 *       {@code [...]} are quoted names.</li>
 *   <li>Multi-character operators are single tokens: {@code <> != >= <= == || << >> -> ->>}.</li>
 *   <li>A {@code -} or {@code +} directly followed by a digit is the sign of that number (and dropped
 *       with it) when the token before cannot end an operand (start, operator, {@code (}, {@code ,},
 *       keyword other than {@code NULL}/{@code END}); otherwise it is a binary operator. So
 *       {@code x > -1} and {@code x > 1} share a template, and {@code a - 1} keeps its {@code -}.</li>
 * </ul>
 * Anything else (an unknown character, an unterminated quote or comment) throws {@link SqlSyntaxException}.
 */
public final class SqlLexer {
    private SqlLexer() {
    }

    /**
     * The tokens of {@code sql}, by the rules of the class comment.
     *
     * @param sql one query
     * @return its tokens in source order; empty for a query of only whitespace, comments and {@code ;}
     * @throws IllegalArgumentException if {@code sql} is null
     * @throws SqlSyntaxException at an unknown character or an unterminated quote or comment
     */
    public static List<SqlToken> tokenize(String sql) {
        if (sql == null) {
            throw new IllegalArgumentException("sql: is null");
        }
        return new Scan(sql).run();
    }

    /** One pass over one query; holds the cursor. */
    private static final class Scan {
        private final String s;
        private final int n;
        private int i;
        private final List<SqlToken> out = new ArrayList<>();

        Scan(String s) {
            this.s = s;
            this.n = s.length();
        }

        List<SqlToken> run() {
            while (i < n) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c) || c == ';') {
                    i++;
                } else if (c == '-' && peek(1) == '-') {
                    skipLineComment();
                } else if (c == '/' && peek(1) == '*') {
                    skipBlockComment();
                } else if (isWordStart(c) || c == '`' || c == '[') {
                    name();
                } else if (c == '"') {
                    doubleQuoted();
                } else if (c == '\'') {
                    quoted('\'', '\'');
                    add(Kind.STRING, null);
                } else if (isDigit(c) || (c == '.' && isDigit(peek(1)))) {
                    number(i);
                } else if ((c == '-' || c == '+') && isSignedNumber()) {
                    number(i++);
                } else if (c == '(') {
                    single(Kind.LPAREN, "(");
                } else if (c == ')') {
                    single(Kind.RPAREN, ")");
                } else if (c == ',') {
                    single(Kind.COMMA, ",");
                } else if (c == '*') {
                    single(Kind.STAR, "*");
                } else if (c == '?' || ((c == ':' || c == '@' || c == '$') && isWordStart(peek(1)))) {
                    i++;
                    while (i < n && isWordPart(s.charAt(i))) {
                        i++;
                    }
                    add(Kind.PARAMETER, null);
                } else {
                    operator();
                }
            }
            return out;
        }

        private char peek(int ahead) {
            return i + ahead < n ? s.charAt(i + ahead) : '\0';
        }

        private void single(Kind kind, String text) {
            i++;
            add(kind, text);
        }

        private void add(Kind kind, String text) {
            out.add(new SqlToken(kind, text));
        }

        private void skipLineComment() {
            while (i < n && s.charAt(i) != '\n') {
                i++;
            }
        }

        private void skipBlockComment() {
            int end = s.indexOf("*/", i + 2);
            if (end < 0) {
                throw new SqlSyntaxException("unterminated /* comment", i);
            }
            i = end + 2;
        }

        /** Skips a quoted run opened at {@code i}; a doubled closing quote is an escaped one. */
        private void quoted(char open, char close) {
            int start = i;
            i++;
            while (true) {
                if (i >= n) {
                    throw new SqlSyntaxException("unterminated " + open + " quote", start);
                }
                if (s.charAt(i) == close) {
                    if (close != ']' && peek(1) == close) {
                        i += 2;
                        continue;
                    }
                    i++;
                    return;
                }
                i++;
            }
        }

        /** A "..." run is a string unless it is part of a qualified name ({@code "t".col}). */
        private void doubleQuoted() {
            quoted('"', '"');
            if (peek(0) == '.' && isNamePartStart(peek(1))) {
                i++;
                name();
                return;
            }
            add(Kind.STRING, null);
        }

        /** A bare, quoted or qualified name; classifies a lone bare word as keyword or function. */
        private void name() {
            int start = i;
            boolean bareOnly = true;
            boolean quotedOnly = true;
            while (true) {
                char c = peek(0);
                if (c == '`') {
                    quoted('`', '`');
                    bareOnly = false;
                } else if (c == '[') {
                    quoted('[', ']');
                    bareOnly = false;
                } else if (c == '"' || c == '\'') {
                    quoted(c, c);
                    bareOnly = false;
                } else {
                    while (i < n && isWordPart(s.charAt(i))) {
                        i++;
                    }
                    quotedOnly = false;
                }
                if (peek(0) == '.' && isNamePartStart(peek(1))) {
                    i++;
                    bareOnly = false;
                    quotedOnly = false;
                    continue;
                }
                break;
            }
            if (bareOnly) {
                String word = s.substring(start, i).toUpperCase(Locale.ROOT);
                if (SqlKeywords.isKeyword(word)) {
                    add(Kind.KEYWORD, word);
                } else if (nextNonSpace() == '(' && !SqlKeywords.isAlwaysDropped(word)) {
                    add(Kind.FUNCTION, word);
                } else {
                    add(Kind.IDENTIFIER, null);
                }
            } else {
                add(quotedOnly ? Kind.QUOTED_NAME : Kind.IDENTIFIER, null);
            }
            if (peek(0) == '.' && peek(1) == '*') {
                i++;
                single(Kind.STAR, "*");
            }
        }

        private char nextNonSpace() {
            int j = i;
            while (j < n && Character.isWhitespace(s.charAt(j))) {
                j++;
            }
            return j < n ? s.charAt(j) : '\0';
        }

        /** Digits with an optional fraction and exponent, or 0x hex; a trailing word run makes it a name. */
        private void number(int start) {
            if (s.charAt(i) == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
                i += 2;
                while (i < n && Character.digit(s.charAt(i), 16) >= 0) {
                    i++;
                }
            } else {
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
                if (peek(0) == '.') {
                    i++;
                    while (i < n && isDigit(s.charAt(i))) {
                        i++;
                    }
                }
                char e = peek(0);
                if ((e == 'e' || e == 'E')
                        && (isDigit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && isDigit(peek(2))))) {
                    i += 2;
                    while (i < n && isDigit(s.charAt(i))) {
                        i++;
                    }
                }
            }
            if (i < n && isWordPart(s.charAt(i)) && !isSign(s.charAt(start))) {
                // Not a number after all but a name starting with digits (e.g. a column 2nd_place).
                while (i < n && isWordPart(s.charAt(i))) {
                    i++;
                }
                add(Kind.IDENTIFIER, null);
                return;
            }
            add(Kind.NUMBER, null);
        }

        private boolean isSignedNumber() {
            char next = peek(1);
            if (!(isDigit(next) || (next == '.' && isDigit(peek(2))))) {
                return false;
            }
            if (out.isEmpty()) {
                return true;
            }
            SqlToken prev = out.get(out.size() - 1);
            return switch (prev.kind()) {
                case IDENTIFIER, QUOTED_NAME, STRING, NUMBER, PARAMETER, RPAREN -> false;
                case KEYWORD -> !prev.text().equals("NULL") && !prev.text().equals("END");
                default -> true;
            };
        }

        private void operator() {
            for (String op : OPERATORS) {
                if (s.startsWith(op, i)) {
                    i += op.length();
                    add(Kind.OPERATOR, op);
                    return;
                }
            }
            throw new SqlSyntaxException("unexpected character '" + s.charAt(i) + "'", i);
        }
    }

    /** Longest first, so {@code <>} wins over {@code <}. */
    private static final String[] OPERATORS = {
        "->>", "<>", "!=", ">=", "<=", "==", "||", "<<", ">>", "->",
        "=", "<", ">", "+", "-", "/", "%", "&", "|", "~"
    };

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isSign(char c) {
        return c == '-' || c == '+';
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    private static boolean isNamePartStart(char c) {
        return isWordStart(c) || isDigit(c) || c == '`' || c == '[' || c == '"' || c == '\'';
    }
}
